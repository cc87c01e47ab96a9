/**
 * Renders what an Argo CD ApplicationSet with a `clusters` generator and Go templates generates for one
 * cluster, for the subset of the template language SHAZAM's ApplicationSet uses (`{{ .server }}`,
 * `{{ .name }}`, `{{ index .metadata.labels "<key>" }}`). Anything else in `{{ }}` throws, so the test
 * cannot silently pass over an expression it does not understand.
 */

/** A cluster as Argo CD's cluster generator sees it (its cluster Secret). */
export interface GeneratorCluster {
  name: string;
  server: string;
  labels: Record<string, string>;
}

interface ClusterSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: {
    key: string;
    operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    values?: string[];
  }[];
}

/** The fields of an ApplicationSet the rendering reads. */
export interface ApplicationSetSpec {
  goTemplate?: boolean;
  generators: { clusters?: { selector?: ClusterSelector } }[];
  template: Record<string, unknown>;
}

function selected(selector: ClusterSelector | undefined, labels: Record<string, string>): boolean {
  const byLabel = Object.entries(selector?.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  return (
    byLabel &&
    (selector?.matchExpressions ?? []).every((expression) => {
      const value = labels[expression.key];
      if (expression.operator === 'Exists') return value !== undefined;
      if (expression.operator === 'DoesNotExist') return value === undefined;
      if (expression.operator === 'In')
        return value !== undefined && (expression.values ?? []).includes(value);
      return value === undefined || !(expression.values ?? []).includes(value);
    })
  );
}

function substitute(text: string, cluster: GeneratorCluster): string {
  return text.replace(/\{\{\s*(.*?)\s*\}\}/g, (_match, expression: string) => {
    if (expression === '.server') return cluster.server;
    if (expression === '.name') return cluster.name;
    const label = /^index \.metadata\.labels "([^"]+)"$/.exec(expression);
    if (label?.[1] !== undefined) {
      const value = cluster.labels[label[1]];
      // goTemplateOptions missingkey=error: a missing label fails the generation.
      if (value === undefined) throw new Error(`cluster ${cluster.name} has no label ${label[1]}`);
      return value;
    }
    throw new Error(`unsupported template expression {{ ${expression} }}`);
  });
}

function render(value: unknown, cluster: GeneratorCluster): unknown {
  if (typeof value === 'string') return substitute(value, cluster);
  if (Array.isArray(value)) return value.map((item) => render(item, cluster));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, render(item, cluster)]));
  return value;
}

/** The Applications the ApplicationSet generates for `clusters` (those its cluster generators select). */
export function generateApplications(
  spec: ApplicationSetSpec,
  clusters: GeneratorCluster[],
): Record<string, unknown>[] {
  return spec.generators.flatMap((generator) =>
    generator.clusters === undefined
      ? []
      : clusters
          .filter((cluster) => selected(generator.clusters?.selector, cluster.labels))
          .map((cluster) => render(spec.template, cluster) as Record<string, unknown>),
  );
}
