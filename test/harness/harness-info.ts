/** What the global setup hands to every test file (through vitest's provide/inject). */
export interface HarnessInfo {
  kubeconfigPath: string;
  server: string;
  kubectlPath: string;
  binariesDir: string;
  s3: {
    endpoint: string;
    region: string;
    accessKeyId: string;
    secretAccessKey: string;
    forcePathStyle: true;
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    shazamHarness: HarnessInfo;
  }
}
