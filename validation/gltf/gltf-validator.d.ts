/** Types of the parts of npm `gltf-validator` (Dart compiled to JS, shipped without types) that SHAZAM uses. */
declare module 'gltf-validator' {
  interface ValidationOptions {
    uri?: string;
    format?: 'glb' | 'gltf';
    externalResourceFunction?: (uri: string) => Promise<Uint8Array>;
    writeTimestamp?: boolean;
    maxIssues?: number;
    ignoredIssues?: string[];
    onlyIssues?: string[];
    severityOverrides?: Record<string, number>;
  }
  const validator: {
    version(): string;
    supportedExtensions(): string[];
    validateBytes(data: Uint8Array, options?: ValidationOptions): Promise<unknown>;
    validateString(json: string, options?: ValidationOptions): Promise<unknown>;
  };
  export default validator;
}
