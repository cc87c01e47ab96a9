/** Where a render writes its files, addressed by paths relative to the output folder/prefix. */
export interface OutputSink {
  /** The URI or path a relative path ends up at, for logs and the RenderJob status. */
  locate(path: string): string;
  /** Writes one file; rejects with SHAZAM_RENDER_OUTPUT_FAILED. */
  write(path: string, data: Uint8Array, contentType: string): Promise<void>;
}

export { directorySink } from './directory-sink.ts';
export { s3Sink } from './s3-sink.ts';
