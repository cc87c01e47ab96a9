declare module 'draco3dgltf' {
  /** Emscripten module factories of Google's Draco codec, as expected by glTF-Transform. */
  const draco3d: {
    createDecoderModule(options?: Record<string, unknown>): Promise<unknown>;
    createEncoderModule(options?: Record<string, unknown>): Promise<unknown>;
  };
  export default draco3d;
}
