/**
 * The pure heart of the AssetSubmission controller: from {@link SubmissionObserved} to where the submission
 * stands ({@link Assessment}) and the actions that move it on. No I/O, no clock, no randomness.
 */
import type { ValidationResult } from '../../lib/contracts/validation-result.ts';
import { classifyFinalizer } from '../../lib/kube/finalizer.ts';
import { versionKeys, versionPrefix } from '../../lib/storage/layout.ts';
import type { Action } from '../actions.ts';
import type { DesiredCondition } from '../conditions.ts';
import type { ControllerConfig } from '../context.ts';
import { buildValidationJob, validationResultUri } from '../jobs.ts';
import { qaReviewName, renderJobName, SUBMISSION_FINALIZER, validationJobName } from '../names.ts';
import { nextPointer } from '../published-pointer.ts';
import { SubmissionReason as R } from '../reasons.ts';
import {
  type AssetSubmissionStatus,
  jobState,
  RESOURCES,
  type StatusFinding,
  type SubmissionPhase,
} from '../resources.ts';
import { versionsToDelete } from '../retention.ts';
import { buildQAReview, buildRenderJob } from './children.ts';
import { validationRecorded } from './observe.ts';
import type { SubmissionObserved } from './observed.ts';

/** Where a submission stands after this reconcile, and what to do to get there. */
export interface Assessment {
  phase: SubmissionPhase;
  message: string;
  conditions: DesiredCondition[];
  validation: AssetSubmissionStatus['validation'];
  version: number | undefined;
  children: NonNullable<AssetSubmissionStatus['children']>;
  rejection: AssetSubmissionStatus['rejection'];
  published: AssetSubmissionStatus['published'];
  actions: Action[];
  requeueAfterMs: number | undefined;
  /** True while deleting. */
  deleting: boolean;
  /** False when this pass only handles the finalizer (adding it, or cleanup): no status is written. */
  writeStatus: boolean;
}

/** Waiting on something outside the cluster's watch (S3 objects, an unbound review) is polled this often. */
export const POLL_MS = { versionIncomplete: 30_000, unboundReview: 2_000 } as const;

const SEVERITY = { error: 'Error', warning: 'Warning', info: 'Info' } as const;
const STATUS_STAGES = new Set(['cleanup', 'uv', 'texturing']);

/** The status form of a compact validation result. */
export function validationStatus(
  result: ValidationResult,
  resultUri: string,
): NonNullable<AssetSubmissionStatus['validation']> {
  return {
    verdict: result.verdict,
    stages: { ...result.stages },
    errors: result.errors,
    warnings: result.warnings,
    findings: result.findings.map((finding) => {
      const out: StatusFinding = {
        severity: SEVERITY[finding.severity],
        code: finding.code.slice(0, 128),
        message: finding.message,
      };
      if (STATUS_STAGES.has(finding.stage)) out.stage = finding.stage as StatusFinding['stage'];
      if (finding.location) out.pointer = finding.location.slice(0, 512);
      return out;
    }),
    reportUri: result.reportUri ?? resultUri,
    completedAt: result.completedAt,
  };
}

/** The public URL of an assets-bucket key. */
export function publicUrl(config: ControllerConfig, key: string): string {
  return `${config.s3.publicBaseUrl.replace(/\/+$/, '')}/${key}`;
}

function condition(
  type: string,
  status: DesiredCondition['status'],
  reason: string,
  message = '',
): DesiredCondition {
  return { type, status, reason, message };
}

function firstError(validation: NonNullable<AssetSubmissionStatus['validation']>): string {
  const findings = validation.findings ?? [];
  const finding = findings.find((f) => f.severity === 'Error') ?? findings[0];
  const count = `${validation.errors} error(s), ${validation.warnings} warning(s)`;
  return finding ? `${count}; first: ${finding.code}: ${finding.message}` : count;
}

/**
 * Assesses a submission and plans its actions. Steps, each only once the one before is settled:
 * finalizer → validation Job → verdict → QAReview → decision → promotion (pointer, retention) → RenderJob
 * → Published. A newer version of the same ASIN published elsewhere makes it Superseded.
 */
export function assessSubmission(observed: SubmissionObserved, config: ControllerConfig): Assessment {
  const submission = observed.submission;
  const { asin, revision } = submission.spec;
  const status = submission.status ?? {};
  const a: Assessment = {
    phase: 'Pending',
    message: '',
    conditions: [],
    validation: undefined,
    version: undefined,
    children: {},
    rejection: undefined,
    published: status.published,
    actions: [],
    requeueAfterMs: undefined,
    deleting: submission.metadata.deletionTimestamp !== undefined,
    writeStatus: true,
  };
  // Finalizers the kube-rs way: add it and stop (its watch event brings the next pass), or clean up.
  const step = classifyFinalizer({
    hasFinalizer: submission.metadata.finalizers?.includes(SUBMISSION_FINALIZER) ?? false,
    isDeleting: a.deleting,
  });
  if (step === 'cleanup') planCleanup(observed, a);
  if (step === 'addFinalizer') {
    a.actions.push({ type: 'addFinalizer', finalizer: SUBMISSION_FINALIZER });
    a.writeStatus = false;
  }
  if (step !== 'apply') {
    a.writeStatus = false;
    return a;
  }

  const validated = (s: DesiredCondition['status'], reason: string, message = '') =>
    condition('Validated', s, reason, message);
  const pendingAfter = (from: string): DesiredCondition[] => [
    condition('QAApproved', 'Unknown', from === 'QAApproved' ? R.AwaitingReview : R.AwaitingValidation),
    condition('Promoted', 'Unknown', R.AwaitingApproval),
    condition('Rendered', 'Unknown', R.AwaitingPromotion),
  ];
  const ready = (s: DesiredCondition['status'], reason: string, message = '') =>
    condition('Ready', s, reason, message);

  if (observed.newerPublished) {
    const peer = observed.newerPublished;
    a.phase = 'Superseded';
    a.message = `Version ${peer.version} of ${asin} was published by ${peer.namespace}/${peer.name}`;
    a.validation = status.validation;
    a.version = status.version;
    a.children = { ...status.children };
    a.rejection = status.rejection;
    a.published = undefined;
    a.conditions = [
      ...(status.conditions ?? [])
        .filter((c) => c.type !== 'Ready')
        .map((c) => condition(c.type, c.status, c.reason, c.message)),
      ready('False', R.Superseded, a.message),
    ];
    return a;
  }

  // Validation.
  const jobName = validationJobName(submission);
  a.children.validationJob = jobName;
  if (validationRecorded(submission)) {
    a.validation = status.validation;
  } else if (observed.result.state === 'found') {
    a.validation = validationStatus(observed.result.result, validationResultUri(submission, config));
  } else if (observed.result.state === 'invalid') {
    return fail(
      a,
      [validated('False', R.ValidationResultInvalid, observed.result.message), ...pendingAfter('')],
      observed.result.message,
    );
  } else {
    const job = observed.validationJob;
    if (!job) {
      a.actions.push({
        type: 'create',
        resource: RESOURCES.job,
        object: buildValidationJob(submission, config),
      });
      a.phase = 'Validating';
      a.message = `Validating revision ${revision}: created Job ${jobName}`;
      a.conditions = [
        validated('Unknown', R.ValidationPending, a.message),
        ...pendingAfter(''),
        ready('False', R.ValidationPending),
      ];
      return a;
    }
    const state = jobState(job);
    if (state.state === 'Running') {
      a.phase = 'Validating';
      a.message = `Validating revision ${revision} in Job ${jobName}`;
      a.conditions = [
        validated('Unknown', R.ValidationRunning, a.message),
        ...pendingAfter(''),
        ready('False', R.ValidationRunning),
      ];
      return a;
    }
    if (state.state === 'Failed') {
      const message = `Validation Job ${jobName} failed: ${state.message}. Delete the Job to retry.`;
      return fail(a, [validated('False', R.ValidationJobFailed, message), ...pendingAfter('')], message);
    }
    const message = `Validation Job ${jobName} succeeded but wrote no result at ${validationResultUri(submission, config)}. Delete the Job to retry.`;
    return fail(a, [validated('False', R.ValidationResultMissing, message), ...pendingAfter('')], message);
  }
  const validation = a.validation!;
  if (validation.verdict === 'Failed') {
    a.phase = 'ValidationFailed';
    a.message = `Revision ${revision} failed validation: ${firstError(validation)}. Fix it and deliver revision ${revision + 1}.`;
    a.conditions = [
      validated('False', R.ValidationFailed, a.message),
      ...pendingAfter(''),
      ready('False', R.ValidationFailed),
    ];
    return a;
  }
  a.version = revision;
  const passed = validated(
    'True',
    R.ValidationPassed,
    `${validation.errors} error(s), ${validation.warnings} warning(s)`,
  );

  // QA review.
  const review = observed.review;
  if (!review) {
    if (observed.unboundReviews > 0) {
      a.requeueAfterMs = POLL_MS.unboundReview;
    } else {
      a.actions.push({ type: 'create', resource: RESOURCES.qaReview, object: buildQAReview(submission) });
    }
    a.children.qaReview = qaReviewName(submission);
    a.phase = 'AwaitingQA';
    a.message = `Revision ${revision} passed validation; waiting for QA in QAReview ${a.children.qaReview}`;
    a.conditions = [passed, ...pendingAfter('QAApproved'), ready('False', R.AwaitingReview)];
    return a;
  }
  a.children.qaReview = review.metadata.name;
  const decision = review.spec.decision ?? 'Pending';
  if (decision === 'Pending') {
    a.phase = 'AwaitingQA';
    a.message = `Revision ${revision} passed validation; waiting for QA in QAReview ${review.metadata.name}`;
    a.conditions = [passed, ...pendingAfter('QAApproved'), ready('False', R.AwaitingReview)];
    return a;
  }
  if (decision === 'Rejected') {
    a.phase = 'Rejected';
    a.rejection = {
      reviewer: review.spec.reviewer,
      comments: review.spec.comments,
      findings: (review.spec.findings ?? []).map((f) => ({ area: f.area, message: f.message })),
      decidedAt: review.status?.decidedAt ?? status.rejection?.decidedAt ?? observed.now,
    };
    a.message = `QA rejected revision ${revision}: ${review.spec.comments ?? ''}`.trim();
    a.conditions = [
      passed,
      condition('QAApproved', 'False', R.Rejected, a.message),
      condition('Promoted', 'False', R.Rejected),
      condition('Rendered', 'False', R.Rejected),
      ready('False', R.Rejected, a.message),
    ];
    return a;
  }
  const approved = condition('QAApproved', 'True', R.Approved, `Approved by ${review.spec.reviewer ?? 'QA'}`);

  // Promotion.
  const storage = observed.storage;
  if (storage) {
    if (storage.pointer && storage.pointer.version > revision) {
      a.phase = 'Superseded';
      a.message = `Version ${storage.pointer.version} of ${asin} is already published`;
      a.published = undefined;
      a.conditions = [
        passed,
        approved,
        condition('Promoted', 'False', R.Superseded, a.message),
        condition('Rendered', 'Unknown', R.AwaitingPromotion),
        ready('False', R.Superseded, a.message),
      ];
      return a;
    }
    if (!storage.complete) {
      a.phase = 'Promoting';
      a.message = `Version ${revision} has no ${versionKeys(asin, revision).complete} yet; promotion waits for the ingest to complete`;
      a.requeueAfterMs = POLL_MS.versionIncomplete;
      a.conditions = [
        passed,
        approved,
        condition('Promoted', 'False', R.VersionIncomplete, a.message),
        condition('Rendered', 'Unknown', R.AwaitingPromotion),
        ready('False', R.VersionIncomplete),
      ];
      return a;
    }
    let pointer = storage.pointer;
    if (pointer?.version !== revision) {
      pointer = nextPointer(pointer, {
        asin,
        version: revision,
        prefix: versionPrefix(asin, revision),
        publishedAt: observed.now,
        submission: { namespace: submission.metadata.namespace, name: submission.metadata.name },
      });
      a.actions.push({ type: 'putPublishedPointer', pointer });
    }
    const doomed = versionsToDelete({
      stored: storage.stored,
      published: revision,
      previous: pointer.previous,
      inUse: observed.inUse,
      versionsToKeep: config.retention.versionsToKeep,
    });
    if (doomed.length > 0) a.actions.push({ type: 'deleteVersions', asin, revisions: doomed });
  }
  const promoted = condition(
    'Promoted',
    'True',
    R.Promoted,
    `assets/${asin}/published.json points at version ${revision}`,
  );

  // Rendering.
  const renderJob = observed.renderJob;
  a.children.renderJob = renderJobName(submission);
  if (!renderJob) {
    a.actions.push({
      type: 'create',
      resource: RESOURCES.renderJob,
      object: buildRenderJob(submission, config),
    });
    a.phase = 'Rendering';
    a.message = `Version ${revision} promoted; rendering the turntable in RenderJob ${a.children.renderJob}`;
    a.conditions = [
      passed,
      approved,
      promoted,
      condition('Rendered', 'Unknown', R.RenderPending),
      ready('False', R.RenderPending),
    ];
    return a;
  }
  const renderPhase = renderJob.status?.phase ?? 'Pending';
  if (renderPhase === 'Failed') {
    const message = `RenderJob ${renderJob.metadata.name} failed: ${renderJob.status?.message ?? 'no reason given'}`;
    return fail(
      a,
      [passed, approved, promoted, condition('Rendered', 'False', R.RenderFailed, message)],
      message,
    );
  }
  if (renderPhase !== 'Succeeded' || !renderJob.status?.outputs) {
    a.phase = 'Rendering';
    a.message = `Version ${revision} promoted; rendering the turntable in RenderJob ${renderJob.metadata.name}`;
    a.conditions = [
      passed,
      approved,
      promoted,
      condition('Rendered', 'Unknown', R.Rendering),
      ready('False', R.Rendering),
    ];
    return a;
  }
  const keys = versionKeys(asin, revision);
  const outputs = renderJob.status.outputs;
  const framesPrefix = parseKey(outputs.framesPrefix) ?? keys.framesPrefix;
  const format = renderJob.spec.formats?.[0] ?? 'webp';
  const frameCount = renderJob.status.framesRendered ?? 0;
  a.phase = 'Published';
  a.message = `Version ${revision} of ${asin} is live`;
  a.published = {
    version: revision,
    bucket: config.s3.assetsBucket,
    prefix: keys.prefix,
    glbUrl: publicUrl(config, keys.model),
    webGlbUrl: publicUrl(config, keys.webModel),
    posterUrl: publicUrl(config, parseKey(outputs.posterUri) ?? keys.poster),
    spin: {
      frameCount,
      urlTemplate: publicUrl(config, `${framesPrefix}{frame}.${format}`),
    },
    descriptorsUri: outputs.descriptorsUri,
    publishedAt:
      status.published?.version === revision
        ? status.published.publishedAt
        : (status.conditions?.find((c) => c.type === 'Promoted' && c.status === 'True')?.lastTransitionTime ??
          observed.now),
  };
  a.conditions = [
    passed,
    approved,
    promoted,
    condition('Rendered', 'True', R.Rendered, `${frameCount} frames`),
    ready('True', R.Published, a.message),
  ];
  return a;
}

function parseKey(uri: string | undefined): string | undefined {
  const match = uri ? /^s3:\/\/[^/]+\/(.*)$/.exec(uri) : null;
  return match?.[1];
}

function fail(a: Assessment, conditions: DesiredCondition[], message: string): Assessment {
  a.phase = 'Failed';
  a.message = message;
  const last = conditions[conditions.length - 1];
  a.conditions = [...conditions, condition('Ready', 'False', last?.reason ?? R.NotReady, message)];
  return a;
}

function planCleanup(observed: SubmissionObserved, a: Assessment): void {
  const { asin, revision, delivery } = observed.submission.spec;
  const pointer = observed.storage?.pointer;
  const published =
    pointer !== undefined && (pointer.version === revision || pointer.previous.includes(revision));
  if (!published && !observed.inUse.includes(revision)) {
    a.actions.push({ type: 'deleteUnpublished', asin, revision, sha256: delivery.sha256 });
  }
  a.actions.push({ type: 'removeFinalizer', finalizer: SUBMISSION_FINALIZER });
}

/** The actions of {@link assessSubmission}: what the executor applies for this reconcile. */
export function planSubmission(observed: SubmissionObserved, config: ControllerConfig): Action[] {
  return assessSubmission(observed, config).actions;
}
