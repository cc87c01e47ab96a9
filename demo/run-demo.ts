import type { AssetSubmission } from '../crds/api.ts';
import { formatElapsed, renderProgressBar } from '../lib/cli/progress.ts';
import { KubeClient } from '../lib/kube/client.ts';
import { loadKubeConfig } from '../lib/kube/kubeconfig.ts';
import { decideReview } from '../lib/shazam-client/qa-decision.ts';
import { waitForPhase } from '../lib/shazam-client/wait-for-phase.ts';
import { whoAmI } from '../lib/shazam-client/who-am-i.ts';
import type { DemoEnvironment } from './environment.ts';
import type { ExampleDelivery } from './example-delivery.ts';
import { type SubmittedRevision, submitRevision } from './submission-flow.ts';

/** Options of {@link runExampleSubmission}. */
export interface RunExampleOptions {
  env: DemoEnvironment;
  example: ExampleDelivery;
  /** Wait for a person to decide in the QA page instead of approving. */
  interactive: boolean;
  /** How long to wait for Published. */
  timeoutMs: number;
  log: (line: string) => void;
}

/** The outcome of the demo's submission. */
export interface ExampleOutcome {
  submitted: SubmittedRevision;
  published: AssetSubmission;
  /** The search API's answer for the ASIN. */
  searchAsset: unknown;
  productUrl: string;
  qaUrl: string;
  /**
   * Milliseconds from QA's approval to Published: from the approval request's answer, or (when a person
   * decides in the QA page) from the first poll that saw the submission leave AwaitingQA.
   */
  approvalToPublishedMs: number | undefined;
}

/**
 * Approves a review with the reviewer's own client, recording the identity the apiserver authenticated:
 * RBAC is exercised exactly as for a person.
 */
async function approveAsReviewer(
  reviewer: KubeClient,
  namespace: string,
  review: string,
  log: (line: string) => void,
): Promise<void> {
  const identity = (await whoAmI(reviewer)) ?? 'qa-reviewer';
  await decideReview(reviewer, namespace, review, {
    decision: 'Approved',
    reviewer: identity,
    comments: 'Matches the reference photos (approved by the demo).',
  });
  log(`Approved QAReview ${review} as ${identity}`);
}

/**
 * Runs the example through the pipeline the way the people of DESIGN.md would: the artist packs,
 * uploads and commits (applied here as Argo CD would), the operator validates and renders the candidate's
 * turntable, QA approves it with the reviewer's own RBAC-limited credentials (or a person does, in the QA
 * page, when `interactive`), then the operator promotes and publishes it with its renders. Each phase is
 * logged as it passes, and the time from approval to Published last.
 */
export async function runExampleSubmission(options: RunExampleOptions): Promise<ExampleOutcome> {
  const { env, example, log } = options;
  const submitted = await submitRevision({
    admin: env.admin,
    s3: env.s3,
    namespace: env.namespace,
    incomingBucket: env.incomingBucket,
    deliveryDir: example.deliveryDir,
    manifestText: example.manifestText,
    onUploadProgress: (sent, total) => {
      if (sent >= total) log(`Uploaded ${renderProgressBar(sent, total)}`);
    },
  });
  log(
    `Applied AssetSubmission ${env.namespace}/${submitted.name}: ${submitted.asin} revision ${submitted.revision}, sha256 ${submitted.sha256.slice(0, 16)}…`,
  );

  const started = Date.now();
  const reviewer = new KubeClient(loadKubeConfig({ path: env.reviewerKubeconfigPath }));
  let published: AssetSubmission;
  let approvedAt: number | undefined;
  try {
    let approving = false;
    let reviewSeen = false;
    published = await waitForPhase({
      client: env.admin,
      namespace: env.namespace,
      name: submitted.name,
      phase: 'Published',
      revision: submitted.revision,
      timeoutMs: options.timeoutMs,
      pollMs: 500,
      onPhase: (phase, submission) => {
        const message = submission.status?.message ? ` — ${submission.status.message}` : '';
        log(`  ${formatElapsed(Date.now() - started).padStart(6)}  ${phase}${message}`);
        if (phase !== 'AwaitingQA' && reviewSeen) approvedAt ??= Date.now();
        if (phase !== 'AwaitingQA' || approving) return;
        reviewSeen = true;
        const review = submission.status?.children?.qaReview ?? submitted.name;
        if (options.interactive) {
          log(`Waiting for your decision in the QA page: ${env.qaUrl}#${review}`);
          return;
        }
        approving = true;
        approveAsReviewer(reviewer, env.namespace, review, log).then(
          () => {
            approvedAt ??= Date.now();
          },
          (error: unknown) =>
            log(`Could not approve: ${error instanceof Error ? error.message : String(error)}`),
        );
      },
    });
  } finally {
    reviewer.close();
  }
  const approvalToPublishedMs = approvedAt === undefined ? undefined : Math.max(0, Date.now() - approvedAt);
  if (approvalToPublishedMs !== undefined) {
    log(`Approval to Published: ${(approvalToPublishedMs / 1000).toFixed(1)} s`);
  }

  const searchAsset = await waitForSearchApi(env.pipeline.searchApiUrl, submitted.asin, 30_000);
  return {
    submitted,
    published,
    searchAsset,
    productUrl: env.productUrl(submitted.asin),
    qaUrl: env.qaUrl,
    approvalToPublishedMs,
  };
}

/**
 * Reads the asset from the search API, retrying while its watch catches up with the Published status
 * (it serves from its own cache, fed by a watch).
 */
export async function waitForSearchApi(baseUrl: string, asin: string, timeoutMs: number): Promise<unknown> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${baseUrl}/v1/assets/${asin}`);
    const body: unknown = await response.json().catch(() => undefined);
    if (response.ok) return body;
    if (Date.now() > deadline) {
      throw new Error(
        `the search API does not return ${asin} ${timeoutMs / 1000} s after publishing: ${JSON.stringify(body)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
