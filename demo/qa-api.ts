import type { S3Client } from '@aws-sdk/client-s3';
import { KubeConfig } from '@kubernetes/client-node';
import type { AssetSubmission, QAReview, RenderJob } from '../crds/api.ts';
import { KubeClient } from '../lib/kube/client.ts';
import { CLIENT_ERROR_CODES, ClientError } from '../lib/shazam-client/errors.ts';
import { decideReview } from '../lib/shazam-client/qa-decision.ts';
import { findResource, getResource, listResources } from '../lib/shazam-client/resources.ts';
import { kubeconfigUserName, whoAmI } from '../lib/shazam-client/who-am-i.ts';
import { versionKeys } from '../lib/storage/layout.ts';
import { parseS3Uri } from '../lib/storage/s3-uri.ts';
import { listKeys } from './s3-files.ts';

/** What the QA page shows for one review. */
export interface ReviewDetails {
  review: {
    name: string;
    decision: string;
    reviewer?: string;
    comments?: string;
    submission: string;
    openedAt?: string;
  };
  submission?: {
    name: string;
    asin: string;
    revision: number;
    artist?: string;
    title?: string;
    brand?: string;
    phase?: string;
    message?: string;
    validation?: NonNullable<AssetSubmission['status']>['validation'];
  };
  files: {
    glbUrl?: string;
    references: string[];
    frames: string[];
    /** The revision the frames belong to: the candidate's own, or the published one for comparison. */
    framesFrom?: number;
    /** The candidate's poster, from `QAReview.status.render`. */
    posterUrl?: string;
  };
  /** Each reference photo against its best turntable frame (`QAReview.status.fidelity`), when computed. */
  fidelity?: NonNullable<QAReview['status']>['fidelity'];
  /** The submission's turntable render: its phase and the preset's fill check, when there is one. */
  render?: {
    name: string;
    phase?: string;
    fillCheck?: NonNullable<RenderJob['status']>['fillCheck'];
    /** The FillCompliant condition's message: which frames miss the fill and by how much. */
    fillMessage?: string;
    /** The turntable storefront profiles judged on the render: each met or missed, with its reasons. */
    profiles?: NonNullable<RenderJob['status']>['profiles'];
  };
}

/** Options of {@link QAApi}. */
export interface QAApiOptions {
  /** The reviewer's own kubeconfig: used when a request carries no bearer token. */
  kubeConfig: KubeConfig;
  namespace: string;
  s3: S3Client;
  assetsBucket: string;
  /** How the browser reaches a key of the assets bucket, e.g. `/cdn/<key>`. */
  assetUrl: (key: string) => string;
}

/**
 * The QA page's backend. Every Kubernetes call runs with the reviewer's credentials, never the
 * server's own: the bearer token the browser sent, or else the kubeconfig the reviewer started the
 * server with. RBAC on QAReviews therefore decides who may approve, exactly as with kubectl.
 */
export class QAApi {
  constructor(private readonly options: QAApiOptions) {}

  /** The client for one request: the bearer token in `authorization` when present. */
  clientFor(authorization: string | undefined): KubeClient {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token) return new KubeClient(this.options.kubeConfig);
    const cluster = this.options.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the QA server kubeconfig has no current cluster');
    const config = new KubeConfig();
    config.loadFromOptions({
      clusters: [cluster],
      users: [{ name: 'browser-reviewer', token }],
      contexts: [{ name: 'browser', cluster: cluster.name, user: 'browser-reviewer' }],
      currentContext: 'browser',
    });
    return new KubeClient(config);
  }

  /** Who the apiserver says the caller is. */
  async whoAmI(client: KubeClient): Promise<string | undefined> {
    return whoAmI(client);
  }

  /** The reviews of the namespace, pending first, newest first within each group. */
  async listReviews(client: KubeClient): Promise<ReviewDetails['review'][]> {
    const reviews = await listResources(client, 'QAReview', this.options.namespace);
    const summary = reviews.map((review) => this.reviewSummary(review));
    const rank = (decision: string) => (decision === 'Pending' ? 0 : 1);
    return summary.sort(
      (a, b) => rank(a.decision) - rank(b.decision) || (b.openedAt ?? '').localeCompare(a.openedAt ?? ''),
    );
  }

  private reviewSummary(review: QAReview): ReviewDetails['review'] {
    return {
      name: review.metadata.name,
      decision: review.spec.decision ?? 'Pending',
      submission: review.spec.submissionRef.name,
      ...(review.spec.reviewer ? { reviewer: review.spec.reviewer } : {}),
      ...(review.spec.comments ? { comments: review.spec.comments } : {}),
      ...(review.metadata.creationTimestamp ? { openedAt: review.metadata.creationTimestamp } : {}),
    };
  }

  /**
   * A review with its submission, the candidate GLB, the reference photos and the candidate's turntable.
   * The operator renders the candidate before it opens the review and records where in
   * `status.render`; those are the frames (and poster) approval publishes. A review without them (one
   * committed before its candidate rendered) shows the published version's frames for comparison
   * (`framesFrom` says which).
   */
  async reviewDetails(client: KubeClient, name: string): Promise<ReviewDetails> {
    const { namespace, s3, assetsBucket, assetUrl } = this.options;
    const review = await getResource(client, 'QAReview', namespace, name);
    const details: ReviewDetails = {
      review: this.reviewSummary(review),
      files: { references: [], frames: [] },
      ...(review.status?.fidelity ? { fidelity: review.status.fidelity } : {}),
    };
    const submission = await findResource(
      client,
      'AssetSubmission',
      namespace,
      review.spec.submissionRef.name,
    );
    if (!submission) return details;
    const asin = submission.spec.asin;
    const revision =
      review.status?.submission?.revision ?? submission.status?.version ?? submission.spec.revision;
    details.submission = {
      name: submission.metadata.name,
      asin,
      revision,
      ...(submission.spec.artist ? { artist: submission.spec.artist } : {}),
      ...(submission.spec.product?.title ? { title: submission.spec.product.title } : {}),
      ...(submission.spec.product?.brand ? { brand: submission.spec.product.brand } : {}),
      ...(submission.status?.phase ? { phase: submission.status.phase } : {}),
      ...(submission.status?.message ? { message: submission.status.message } : {}),
      ...(submission.status?.validation ? { validation: submission.status.validation } : {}),
    };
    const rendered = review.status?.render;
    // The review names its candidate's render, fill check included, so a reviewer (who may read reviews,
    // not RenderJobs) sees it; a review without one falls back to the submission's RenderJob.
    const renderJobName = rendered ? undefined : submission.status?.children?.renderJob;
    const renderJob = renderJobName
      ? await findResource(client, 'RenderJob', namespace, renderJobName)
      : undefined;
    if (rendered) {
      details.render = {
        name: rendered.renderJob,
        phase: 'Succeeded',
        ...(rendered.fillCheck ? { fillCheck: rendered.fillCheck } : {}),
        ...(rendered.fillMessage ? { fillMessage: rendered.fillMessage } : {}),
        ...(rendered.profiles ? { profiles: rendered.profiles } : {}),
      };
    } else if (renderJob) {
      const fill = renderJob.status?.conditions?.find((c) => c.type === 'FillCompliant');
      details.render = {
        name: renderJob.metadata.name,
        ...(renderJob.status?.phase ? { phase: renderJob.status.phase } : {}),
        ...(renderJob.status?.fillCheck ? { fillCheck: renderJob.status.fillCheck } : {}),
        ...(fill ? { fillMessage: fill.message } : {}),
        ...(renderJob.status?.profiles ? { profiles: renderJob.status.profiles } : {}),
      };
    }
    const keys = versionKeys(asin, revision);
    const framesPrefix = this.assetKey(rendered?.framesPrefix) ?? keys.framesPrefix;
    const posterKey = this.assetKey(rendered?.posterUri);
    if (posterKey) details.files.posterUrl = assetUrl(posterKey);
    const [models, references, frames] = await Promise.all([
      listKeys(s3, assetsBucket, keys.model, 1),
      listKeys(s3, assetsBucket, keys.referencesPrefix, 50),
      listKeys(s3, assetsBucket, framesPrefix, 720),
    ]);
    if (models.includes(keys.model)) details.files.glbUrl = assetUrl(keys.model);
    details.files.references = references.map(assetUrl);
    details.files.frames = frames.map(assetUrl);
    if (frames.length > 0) details.files.framesFrom = revision;
    const published = submission.status?.published;
    if (frames.length === 0 && published?.version !== undefined && published.version !== revision) {
      const previous = versionKeys(asin, published.version);
      details.files.frames = (await listKeys(s3, assetsBucket, previous.framesPrefix, 720)).map(assetUrl);
      details.files.framesFrom = published.version;
    }
    return details;
  }

  /** The key of an s3:// URI in the assets bucket (the only bucket the page serves), else undefined. */
  private assetKey(uri: string | undefined): string | undefined {
    if (!uri) return undefined;
    try {
      const { bucket, key } = parseS3Uri(uri);
      return bucket === this.options.assetsBucket ? key : undefined;
    } catch {
      return undefined;
    }
  }

  /** Records the decision with the caller's credentials; the reviewer is who the apiserver says. */
  async decide(
    client: KubeClient,
    name: string,
    body: { decision?: unknown; comments?: unknown },
  ): Promise<ReviewDetails['review']> {
    if (body.decision !== 'Approved' && body.decision !== 'Rejected') {
      throw new ClientError(CLIENT_ERROR_CODES.decisionInvalid, 'decision must be Approved or Rejected');
    }
    const comments = typeof body.comments === 'string' ? body.comments : undefined;
    const reviewer = (await whoAmI(client)) ?? kubeconfigUserName(client) ?? 'unknown';
    const review = await decideReview(client, this.options.namespace, name, {
      decision: body.decision,
      reviewer,
      ...(comments ? { comments } : {}),
    });
    return this.reviewSummary(review);
  }
}
