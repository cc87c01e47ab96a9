import { readFileSync } from 'node:fs';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { parseAllDocuments } from 'yaml';

const ARGOCD_DIR = new URL('../manifests/argocd/', import.meta.url);
const HEALTH_SCRIPTS = {
  'pipeline.shazam.dev_AssetSubmission': 'assetsubmission.lua',
  'pipeline.shazam.dev_QAReview': 'qareview.lua',
  'pipeline.shazam.dev_RenderJob': 'renderjob.lua',
  'argoproj.io_Application': 'application.lua',
  'argoproj.io_ApplicationSet': 'applicationset.lua',
};
/** The cluster label the platform ApplicationSet generates one Application per value of. */
export const ENVIRONMENT_LABEL = 'shazam.dev/environment';

/** Options of {@link createArgoCd}. */
export interface ArgoCdArgs {
  namePrefix: string;
  provider: k8s.Provider;
  /** The environment (overlay name) of this cluster: `manifests/overlays/<environment>` is synced. */
  environment: string;
  git: { repoUrl: string; revision: string; submissionsRepoUrl: string };
}

/** What {@link createArgoCd} made. */
export interface ArgoCd {
  release: k8s.helm.v3.Release;
  /** The cluster Secret that registers this cluster, labelled with its environment. */
  cluster: k8s.core.v1.Secret;
  /** The root Application syncing manifests/argocd/apps. */
  root: k8s.apiextensions.CustomResource;
}

/**
 * The `argocd-cm` keys holding SHAZAM's resource health checks, read from manifests/argocd/health/ (the
 * same files `kubectl apply -k manifests/argocd` ships and the Lua tests run).
 */
export function healthCustomizations(): Record<string, string> {
  const entries = Object.entries(HEALTH_SCRIPTS).map(([key, file]) => [
    `resource.customizations.health.${key}`,
    readFileSync(new URL(`health/${file}`, ARGOCD_DIR), 'utf8'),
  ]);
  // QA's approve/reject actions on QAReviews, as kubectl apply -k manifests/argocd ships them.
  entries.push([
    'resource.customizations.actions.pipeline.shazam.dev_QAReview',
    readFileSync(new URL('actions/qareview.yaml', ARGOCD_DIR), 'utf8'),
  ]);
  return Object.fromEntries(entries);
}

interface ArgoObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec: Record<string, unknown> & {
    source?: Record<string, unknown>;
    sourceRepos?: string[];
    template?: { spec: { source: Record<string, unknown> } };
  };
}

/** Thrown when the stack's git settings disagree with what manifests/argocd syncs from git. */
export class ArgoSettingsError extends Error {
  override name = 'ArgoSettingsError';
  readonly code = 'SHAZAM_E_ARGO_SETTINGS';
}

function readObjects(file: string): ArgoObject[] {
  return parseAllDocuments(readFileSync(new URL(file, ARGOCD_DIR), 'utf8')).map(
    (document) => document.toJS() as ArgoObject,
  );
}

/**
 * The root Application (manifests/argocd/root.yaml) for this stack's revision. Argo CD then reads
 * manifests/argocd/apps from git, so the repositories named there must be the stack's: a mismatch throws
 * {@link ArgoSettingsError} at `pulumi up` rather than syncing another repository.
 */
export function rootApplication(git: ArgoCdArgs['git']): ArgoObject {
  const platform = [
    ...readObjects('apps/applicationset.yaml').map((set) => set.spec.template?.spec.source.repoURL),
    ...readObjects('root.yaml').map((app) => app.spec.source?.repoURL),
  ];
  const submissions = readObjects('apps/application-submissions.yaml').map((app) => app.spec.source?.repoURL);
  const projects = readObjects('apps/appproject.yaml').map((project) => ({
    name: project.metadata.name,
    repos: project.spec.sourceRepos ?? [],
  }));
  const wrong = [
    ...platform.filter((url) => url !== git.repoUrl),
    ...submissions.filter((url) => url !== git.submissionsRepoUrl),
    ...projects
      .filter(
        (project) =>
          !project.repos.includes(
            project.name === 'shazam-submissions' ? git.submissionsRepoUrl : git.repoUrl,
          ),
      )
      .map((project) => `AppProject ${project.name}`),
  ];
  if (wrong.length > 0) {
    throw new ArgoSettingsError(
      `manifests/argocd names ${wrong.join(', ')} where the stack's git settings say ${git.repoUrl} and ${git.submissionsRepoUrl}; change one to match the other.`,
    );
  }
  const [root] = readObjects('root.yaml');
  if (!root?.spec.source) throw new ArgoSettingsError('manifests/argocd/root.yaml holds no Application');
  root.spec.source.targetRevision = git.revision;
  return root;
}

/**
 * Installs Argo CD (Helm) with SHAZAM's health checks, registers this cluster labelled with its
 * environment (the platform ApplicationSet generates `shazam-operator-<environment>` from that label), and
 * creates the root Application that syncs the projects, the ApplicationSet and the submissions Application.
 *
 * @example
 * ```ts
 * createArgoCd({ namePrefix: 'shazam-prod', provider, environment: 'prod', git });
 * ```
 */
export function createArgoCd(args: ArgoCdArgs, parent?: pulumi.Resource): ArgoCd {
  const component = new pulumi.ComponentResource('shazam:platform:ArgoCd', args.namePrefix, {}, { parent });
  const root = rootApplication(args.git);
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
  const opts = { parent: component, provider: args.provider, dependsOn: [release] };
  // Argo CD's own cluster, declared so that it carries labels; it holds no credentials (Argo CD uses its
  // ServiceAccount in-cluster).
  const cluster = new k8s.core.v1.Secret(
    `${args.namePrefix}-argocd-in-cluster`,
    {
      metadata: {
        name: 'in-cluster',
        namespace: 'argocd',
        labels: { 'argocd.argoproj.io/secret-type': 'cluster', [ENVIRONMENT_LABEL]: args.environment },
      },
      stringData: { name: 'in-cluster', server: 'https://kubernetes.default.svc' },
    },
    opts,
  );
  const rootApp = new k8s.apiextensions.CustomResource(`${args.namePrefix}-argocd-root`, root, {
    ...opts,
    dependsOn: [release, cluster],
  });
  return { release, cluster, root: rootApp };
}
