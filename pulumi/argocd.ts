import { readFileSync } from 'node:fs';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { parseAllDocuments } from 'yaml';

const ARGOCD_DIR = new URL('../manifests/argocd/', import.meta.url);
const HEALTH_KINDS = {
  AssetSubmission: 'assetsubmission.lua',
  QAReview: 'qareview.lua',
  RenderJob: 'renderjob.lua',
};

/** Options of {@link createArgoCd}. */
export interface ArgoCdArgs {
  namePrefix: string;
  provider: k8s.Provider;
  /** The overlay Argo CD syncs, e.g. `manifests/overlays/prod`. */
  overlayPath: string;
  git: { repoUrl: string; revision: string; submissionsRepoUrl: string };
}

/** What {@link createArgoCd} made. */
export interface ArgoCd {
  release: k8s.helm.v3.Release;
  applications: k8s.apiextensions.CustomResource[];
}

/**
 * The `argocd-cm` keys holding SHAZAM's resource health checks, read from manifests/argocd/health/ (the
 * same files `kubectl apply -k manifests/argocd` ships and the Lua tests run).
 */
export function healthCustomizations(): Record<string, string> {
  const entries = Object.entries(HEALTH_KINDS).map(([kind, file]) => [
    `resource.customizations.health.pipeline.shazam.dev_${kind}`,
    readFileSync(new URL(`health/${file}`, ARGOCD_DIR), 'utf8'),
  ]);
  return Object.fromEntries(entries);
}

interface ArgoObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; finalizers?: string[] };
  spec: Record<string, unknown> & { source?: Record<string, unknown> };
}

/** The AppProjects and Applications of manifests/argocd/, pointed at this stack's overlay and revision. */
export function argoObjects(args: Pick<ArgoCdArgs, 'overlayPath' | 'git'>): ArgoObject[] {
  const files = ['appproject.yaml', 'application-operator.yaml', 'application-submissions.yaml'];
  return files.flatMap((file) =>
    parseAllDocuments(readFileSync(new URL(file, ARGOCD_DIR), 'utf8')).map((document) => {
      const object = document.toJS() as ArgoObject;
      if (object.kind === 'AppProject') {
        const repos =
          object.metadata.name === 'shazam-submissions' ? [args.git.submissionsRepoUrl] : [args.git.repoUrl];
        object.spec.sourceRepos = repos;
      }
      if (object.kind === 'Application' && object.spec.source) {
        const platform = object.metadata.name === 'shazam-operator';
        object.spec.source.repoURL = platform ? args.git.repoUrl : args.git.submissionsRepoUrl;
        object.spec.source.targetRevision = args.git.revision;
        if (platform) object.spec.source.path = args.overlayPath;
      }
      return object;
    }),
  );
}

/**
 * Installs Argo CD (Helm) with SHAZAM's health checks, then the projects and Applications that sync the
 * platform overlay and the submissions repository.
 *
 * @example
 * ```ts
 * createArgoCd({ namePrefix: 'shazam-prod', provider, overlayPath: 'manifests/overlays/prod', git });
 * ```
 */
export function createArgoCd(args: ArgoCdArgs, parent?: pulumi.Resource): ArgoCd {
  const component = new pulumi.ComponentResource('shazam:platform:ArgoCd', args.namePrefix, {}, { parent });
  const release = new k8s.helm.v3.Release(
    `${args.namePrefix}-argocd`,
    {
      name: 'argocd',
      chart: 'argo-cd',
      version: '8.1.2',
      namespace: 'argocd',
      createNamespace: true,
      repositoryOpts: { repo: 'https://argoproj.github.io/argo-helm' },
      values: {
        configs: {
          cm: {
            ...healthCustomizations(),
            // Children the operator makes carry no tracking label; track by annotation so that nothing the
            // operator creates is ever mistaken for a pruneable Argo CD resource.
            'application.resourceTrackingMethod': 'annotation',
          },
        },
        controller: { metrics: { enabled: true, serviceMonitor: { enabled: true } } },
        server: { metrics: { enabled: true, serviceMonitor: { enabled: true } } },
      },
    },
    { parent: component, provider: args.provider },
  );
  const applications = argoObjects(args).map(
    (object) =>
      new k8s.apiextensions.CustomResource(
        `${args.namePrefix}-${object.kind.toLowerCase()}-${object.metadata.name}`,
        object,
        { parent: component, provider: args.provider, dependsOn: [release] },
      ),
  );
  return { release, applications };
}
