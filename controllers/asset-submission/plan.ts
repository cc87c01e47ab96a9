/**
 * The pure heart of the AssetSubmission controller: from {@link SubmissionObserved} to where the submission
 * stands ({@link Assessment}) and the actions that move it on. No I/O, no clock, no randomness.
 *
 * The flow is a ladder of steps (ownership → validation → candidate render → QA review → promotion), each
 * either settled (it adds its `True` condition and the facts later steps need) or the place where the
 * submission stops for now ({@link Stop}). Conditions of the steps not reached come from one table. The
 * turntable is rendered before QA opens its review, so QA judges what the storefront will show and approval
 * publishes the version with its renders in the same pass.
 */
import type { ValidationResult } from '../../lib/contracts/validation-result.ts';
import { classifyFinalizer, type FinalizerStep } from '../../lib/kube/finalizer.ts';
import type { DesiredCondition } from '../../lib/kube/status.ts';
import { versionKeys, versionPrefix } from '../../lib/storage/layout.ts';
import type { Action } from '../actions.ts';
import type { ControllerConfig } from '../context.ts';
import { buildValidationJob, validationResultUri } from '../jobs.ts';
import { qaReviewName, renderJobName, SUBMISSION_FINALIZER, validationJobName } from '../names.ts';
import { nextPointer } from '../published-pointer.ts';
import { SubmissionReason as R } from '../reasons.ts';
import { fillSentence } from '../render-job/fill.ts';
import { renderProfiles } from '../render-job/profiles.ts';
import { type AssetSubmissionStatus, jobState, RESOURCES, type SubmissionPhase } from '../resources.ts';
import { versionsToDelete } from '../retention.ts';
import { buildQAReview, buildRenderJob } from './children.ts';
import { jobFailureRecorded, type SubmissionObserved, validationRecorded } from './observed.ts';
import { TAKES_OVER_ANNOTATION } from './ownership.ts';
import { firstError, publicUrl, sentence, validationStatus } from './status-text.ts';

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
  /** The version the storefront serves through this submission (`status.liveVersion`), if any. */
  liveVersion: number | undefined;
  actions: Action[];
  requeueAfterMs: number | undefined;
  /** True while deleting. */
  deleting: boolean;
  /** False when this pass only handles the finalizer (adding it, or cleanup): no status is written. */
  writeStatus: boolean;
}

/** The condition types of the ladder's steps, in order; `Ready` follows them. */
export const STEP_CONDITIONS = ['Validated', 'Rendered', 'QAApproved', 'Promoted'] as const;
/** One step's condition type. */
export type StepCondition = (typeof STEP_CONDITIONS)[number];

/**
 * The conditions of steps not yet reached. While a step is in progress each later one waits for the step
 * before it (`Unknown`); once a step failed for good, the later ones will not happen (`False`).
 */
const NOT_REACHED: Record<StepCondition, { waitingReason: string; waitsFor: string; stopped: string }> = {
  Validated: {
    waitingReason: R.AwaitingDelivery,
    waitsFor: 'Waits for the delivery',
    stopped: 'Not validated',
  },
  Rendered: {
    waitingReason: R.AwaitingValidation,
    waitsFor: 'Waits for validation to pass',
    stopped: 'Not rendered',
  },
  QAApproved: {
    waitingReason: R.AwaitingRender,
    waitsFor: 'Waits for the turntable of the candidate',
    stopped: 'Not sent to QA',
  },
  Promoted: { waitingReason: R.AwaitingApproval, waitsFor: 'Waits for QA approval', stopped: 'Not promoted' },
};

/** The finding the validation Job reports when no ZIP is at the delivery URI. */
const DELIVERY_NOT_FOUND = 'DELIVERY_NOT_FOUND';
/** Waiting on something outside the cluster's watch (S3 objects, an unbound review) is polled this often. */
const POLL_MS = { versionIncomplete: 30_000, unboundReview: 2_000 } as const;

/** Where the ladder stopped for this reconcile. */
interface Stop {
  phase: SubmissionPhase;
  /** The step the submission is at. */
  step: StepCondition;
  /** `Unknown`: in progress or waiting; `False`: failed for good (a person must act). */
  status: 'Unknown' | 'False';
  reason: string;
  message: string;
  actions?: Action[];
  requeueAfterMs?: number;
}

/** What the settled steps established. */
interface Progress {
  settled: DesiredCondition[];
  validation: AssetSubmissionStatus['validation'];
  version: number | undefined;
  children: NonNullable<AssetSubmissionStatus['children']>;
  rejection: AssetSubmissionStatus['rejection'];
  actions: Action[];
  /** Set once the current revision is promoted: it is live from then on. */
  live?: number;
}

type StepResult = { stop: Stop } | { stop?: undefined };

function condition(
  type: string,
  status: DesiredCondition['status'],
  reason: string,
  message: string,
): DesiredCondition {
  return { type, status, reason, message };
}

/** The full condition list for a ladder that stopped at `stop` with `settled` steps behind it. */
export function conditionsFor(settled: readonly DesiredCondition[], stop: Stop): DesiredCondition[] {
  const at = STEP_CONDITIONS.indexOf(stop.step);
  const later = STEP_CONDITIONS.slice(at + 1).map((type) => {
    const row = NOT_REACHED[type];
    return stop.status === 'Unknown'
      ? condition(type, 'Unknown', row.waitingReason, `${row.waitsFor}.`)
      : condition(type, 'False', stop.reason, `${row.stopped}: ${stop.message}`);
  });
  return [
    ...settled,
    condition(stop.step, stop.status, stop.reason, stop.message),
    ...later,
    condition('Ready', 'False', stop.reason, stop.message),
  ];
}

/**
 * Assesses a submission and plans its actions. Steps, each only once the one before is settled:
 * finalizer → ownership → validation Job → verdict → candidate RenderJob → QAReview → decision → promotion
 * (pointer, retention) → Published. A newer version of the same ASIN published elsewhere makes it Superseded.
 */
export function assessSubmission(observed: SubmissionObserved, config: ControllerConfig): Assessment {
  const submission = observed.submission;
  const status = submission.status ?? {};
  const base: Assessment = {
    phase: 'Pending',
    message: '',
    conditions: [],
    validation: undefined,
    version: undefined,
    children: {},
    rejection: undefined,
    published: status.published,
    liveVersion: status.liveVersion ?? status.published?.version,
    actions: [],
    requeueAfterMs: undefined,
    deleting: submission.metadata.deletionTimestamp !== undefined,
    writeStatus: true,
  };
  const finalizer = finalizerStep(observed);
  // A refused submission never gets the finalizer: it wrote nothing, so it has nothing to clean up.
  if (observed.ownership.state === 'refused' && !base.deleting) return refused(observed, base);
  if (finalizer === 'cleanup' || finalizer === 'done' || observed.ownership.state === 'refused') {
    return { ...base, actions: finalizerActions(observed, finalizer), writeStatus: false };
  }
  const assessment = assessOwned(observed, config, base);
  if (finalizer === 'apply') return assessment;
  // The finalizer goes on first, in the same pass as the step's own writes: one pass and one read fewer.
  const add: Action = { type: 'addFinalizer', finalizer: SUBMISSION_FINALIZER };
  return { ...assessment, actions: [add, ...assessment.actions] };
}

/** The ladder of a submission this operator owns (finalizer present or being added in this pass). */
function assessOwned(observed: SubmissionObserved, config: ControllerConfig, base: Assessment): Assessment {
  const submission = observed.submission;
  if (observed.newerPublished) {
    const peer = observed.newerPublished;
    return superseded(
      observed,
      base,
      `Version ${peer.version} of ${submission.spec.asin} was published by AssetSubmission ${peer.namespace}/${peer.name}`,
    );
  }

  const progress: Progress = {
    settled: [],
    validation: undefined,
    version: undefined,
    children: {},
    rejection: undefined,
    actions: [],
  };
  for (const step of [validationStep, renderStep, reviewStep, promotionStep]) {
    const result = step(observed, config, progress);
    if (result.stop) return stopped(base, progress, result.stop);
  }
  if (progress.version === undefined) throw new Error('unreachable: the ladder settled without a version');
  const superseding = promotionSupersededBy(observed);
  if (superseding !== undefined) {
    return superseded(observed, { ...base, ...pick(progress) }, superseding, progress.settled);
  }
  return published(observed, config, base, progress);
}

function finalizerStep(observed: SubmissionObserved): FinalizerStep {
  return classifyFinalizer({
    hasFinalizer: observed.submission.metadata.finalizers?.includes(SUBMISSION_FINALIZER) ?? false,
    isDeleting: observed.submission.metadata.deletionTimestamp !== undefined,
  });
}

/** The cleanup under the finalizer of a deleted submission, then the finalizer's removal. */
function finalizerActions(observed: SubmissionObserved, step: FinalizerStep): Action[] {
  if (step !== 'cleanup') return [];
  const { asin, revision, delivery } = observed.submission.spec;
  const pointer = observed.storage?.pointer;
  const published =
    pointer !== undefined && (pointer.version === revision || pointer.previous.includes(revision));
  const shared = observed.sameRevisionPeer || observed.inUse.includes(revision);
  const actions: Action[] = [];
  if (!published && !shared)
    actions.push({ type: 'deleteUnpublished', asin, revision, sha256: delivery.sha256 });
  actions.push({ type: 'removeFinalizer', finalizer: SUBMISSION_FINALIZER });
  return actions;
}

function pick(progress: Progress): Partial<Assessment> {
  return {
    validation: progress.validation,
    version: progress.version,
    children: progress.children,
    rejection: progress.rejection,
  };
}

function stopped(base: Assessment, progress: Progress, stop: Stop): Assessment {
  const liveVersion = progress.live ?? base.liveVersion;
  const conditions = conditionsFor(progress.settled, stop);
  const ready = conditions[conditions.length - 1];
  if (ready && liveVersion !== undefined && !ready.message.includes('stays live')) {
    ready.message = `${ready.message} Version ${liveVersion} stays live meanwhile.`;
  }
  return {
    ...base,
    ...pick(progress),
    liveVersion,
    phase: stop.phase,
    message: stop.message,
    conditions,
    actions: [...progress.actions, ...(stop.actions ?? [])],
    requeueAfterMs: stop.requeueAfterMs,
  };
}

function refused(observed: SubmissionObserved, base: Assessment): Assessment {
  if (observed.ownership.state !== 'refused') throw new Error('unreachable: refused() on an owner');
  const { namespace, name } = observed.ownership.owner;
  const { asin } = observed.submission.spec;
  const message =
    `ASIN ${asin} belongs to AssetSubmission ${namespace}/${name}; nothing of this submission was validated or stored. ` +
    `Deliver the next revision by editing ${name}, or take the ASIN over by annotating this submission ` +
    `${TAKES_OVER_ANNOTATION}=${namespace}/${name}.`;
  const stop: Stop = {
    phase: 'Failed',
    step: 'Validated',
    status: 'False',
    reason: R.AsinOwnedElsewhere,
    message,
  };
  return {
    ...base,
    published: undefined,
    liveVersion: undefined,
    phase: stop.phase,
    message,
    conditions: conditionsFor([], stop),
  };
}

function superseded(
  observed: SubmissionObserved,
  base: Assessment,
  message: string,
  settled: readonly DesiredCondition[] = [],
): Assessment {
  const status = observed.submission.status ?? {};
  const previous = status.conditions ?? [];
  const kept = (type: StepCondition): DesiredCondition => {
    const now = settled.find((c) => c.type === type);
    if (now) return now;
    const found = previous.find((c) => c.type === type);
    return found?.status === 'True'
      ? condition(type, 'True', found.reason, found.message || `${type} earlier.`)
      : condition(type, 'False', R.Superseded, `${NOT_REACHED[type].stopped}: ${message}.`);
  };
  return {
    ...base,
    validation: base.validation ?? status.validation,
    version: base.version ?? status.version,
    children: Object.keys(base.children).length > 0 ? base.children : { ...status.children },
    rejection: base.rejection ?? status.rejection,
    published: undefined,
    liveVersion: undefined,
    phase: 'Superseded',
    message: `${message}.`,
    conditions: [
      ...STEP_CONDITIONS.map(kept),
      condition('Ready', 'False', R.Superseded, `${message}; this submission is no longer served.`),
    ],
  };
}

/** Validation: the recorded verdict, a result in S3, or the Job that produces one. */
function validationStep(
  observed: SubmissionObserved,
  config: ControllerConfig,
  progress: Progress,
): StepResult {
  const submission = observed.submission;
  const { revision, delivery } = submission.spec;
  const status = submission.status ?? {};
  const jobName = validationJobName(submission);
  progress.children.validationJob = jobName;
  const failed = (reason: string, message: string): StepResult => ({
    stop: { phase: 'Failed', step: 'Validated', status: 'False', reason, message },
  });
  if (validationRecorded(submission)) {
    progress.validation = status.validation;
  } else if (observed.result.state === 'found' && deliveryMissing(observed.result.result)) {
    return awaitingDelivery(observed, config);
  } else if (observed.result.state === 'found') {
    progress.validation = validationStatus(observed.result.result, validationResultUri(submission, config));
  } else if (observed.result.state === 'invalid') {
    return failed(
      R.ValidationResultInvalid,
      `${sentence(observed.result.message)} Delete the Job ${jobName} to validate again.`,
    );
  } else {
    const job = observed.validationJob;
    if (!job) {
      return {
        stop: {
          phase: 'Validating',
          step: 'Validated',
          status: 'Unknown',
          reason: R.ValidationPending,
          message: `Validating revision ${revision}: created Job ${jobName}.`,
          actions: [
            { type: 'create', resource: RESOURCES.job, object: buildValidationJob(submission, config) },
          ],
        },
      };
    }
    const state = jobState(job);
    const previous = validatedCondition(observed);
    if (state.state === 'Running' && previous?.reason === R.AwaitingDelivery) {
      const waited = Math.round(waitedForDelivery(observed) / 1000);
      return {
        stop: {
          phase: 'Pending',
          step: 'Validated',
          status: 'Unknown',
          reason: R.AwaitingDelivery,
          message:
            `Waiting for the delivery ZIP at ${delivery.uri} (revision ${revision}) to be uploaded: ` +
            `waited ${waited} s of ${config.delivery.waitSeconds} s; checking again in Job ${jobName}.`,
        },
      };
    }
    if (state.state === 'Running') {
      return {
        stop: {
          phase: 'Validating',
          step: 'Validated',
          status: 'Unknown',
          reason: R.ValidationRunning,
          message: `Validating revision ${revision} in Job ${jobName}.`,
        },
      };
    }
    if (state.state === 'Failed') {
      if (!observed.validationFailure && jobFailureRecorded(submission, jobName)) {
        const recorded = previous?.message ?? '';
        return failed(R.ValidationJobFailed, recorded);
      }
      const cause = observed.validationFailure;
      const why = cause
        ? `${state.message ?? 'the Job failed'}; its pod said ${cause.reason}: ${cause.message}`
        : (state.message ?? 'the Job failed');
      return failed(
        R.ValidationJobFailed,
        sentence(`Validation Job ${jobName} failed: ${why}`) +
          ` Fix the cause, then delete the Job ${jobName} to retry.`,
      );
    }
    return failed(
      R.ValidationResultMissing,
      `Validation Job ${jobName} succeeded but wrote no result at ${validationResultUri(submission, config)}. Delete the Job to retry.`,
    );
  }
  const validation = progress.validation;
  if (!validation) throw new Error('unreachable: validation settled without a verdict');
  if (validation.verdict === 'Failed') {
    return {
      stop: {
        phase: 'ValidationFailed',
        step: 'Validated',
        status: 'False',
        reason: R.ValidationFailed,
        message:
          sentence(`Revision ${revision} failed validation: ${firstError(validation)}`) +
          ` Fix it and deliver revision ${revision + 1}.`,
      },
    };
  }
  progress.version = revision;
  const repair = validation.repair;
  progress.settled.push(
    repair
      ? condition(
          'Validated',
          'True',
          R.RepairedCandidatePassed,
          `Revision ${revision} (${delivery.sha256.slice(0, 12)}) failed on ${repair.sourceErrors.join(', ')}; ` +
            `its repaired candidate passed: ${repair.changes.map((change) => change.summary).join(' ')} ` +
            'QA approves the repaired candidate or rejects both; the delivery itself is unchanged.',
        )
      : condition(
          'Validated',
          'True',
          R.ValidationPassed,
          `Revision ${revision} (${delivery.sha256.slice(0, 12)}) passed: ${validation.errors} error(s), ${validation.warnings} warning(s).`,
        ),
  );
  return {};
}

/** True when the validation Job found no ZIP at the delivery URI (and nothing else to report). */
function deliveryMissing(result: ValidationResult): boolean {
  return (
    result.verdict === 'Failed' && result.findings.some((finding) => finding.code === DELIVERY_NOT_FOUND)
  );
}

/**
 * A delivery not uploaded yet (a GitOps sync can apply the manifest before the upload lands): the
 * validation Job's `DELIVERY_NOT_FOUND` verdict is not recorded; instead the Job is deleted after a delay
 * that grows with the wait (`delivery.recheckSeconds` up to `delivery.maxRecheckSeconds`), and the next
 * pass validates again in a new Job, whose result replaces the old one. The wait counts from the start of
 * validation (the `Validated` condition turning Unknown); past `delivery.waitSeconds` the submission fails
 * with `DeliveryNotFound` and stays failed until a person acts.
 */
function awaitingDelivery(observed: SubmissionObserved, config: ControllerConfig): StepResult {
  const submission = observed.submission;
  const { revision, delivery } = submission.spec;
  const waitSeconds = config.delivery.waitSeconds;
  const jobName = validationJobName(submission);
  const previous = validatedCondition(observed);
  if (previous?.status === 'False' && previous.reason === R.DeliveryNotFound) {
    return deliveryNotFound(observed, config, previous.message);
  }
  const waitedMs = waitedForDelivery(observed);
  const deadlineMs = waitSeconds * 1000;
  if (waitedMs >= deadlineMs) return deliveryNotFound(observed, config);
  const job = observed.validationJob;
  const firstMs = config.delivery.recheckSeconds * 1000;
  const delay = Math.min(config.delivery.maxRecheckSeconds * 1000, Math.max(firstMs, waitedMs / 2));
  const finished = job?.status?.completionTime ?? job?.metadata.creationTimestamp ?? observed.now;
  const remainingMs = job ? Math.max(0, Date.parse(finished) + delay - Date.parse(observed.now)) : 0;
  const actions: Action[] = [];
  if (!job) {
    actions.push({ type: 'create', resource: RESOURCES.job, object: buildValidationJob(submission, config) });
  } else if (remainingMs === 0) {
    actions.push({ type: 'deleteJob', name: job.metadata.name, namespace: job.metadata.namespace });
  }
  return {
    stop: {
      phase: 'Pending',
      step: 'Validated',
      status: 'Unknown',
      reason: R.AwaitingDelivery,
      message:
        `Waiting for the delivery ZIP at ${delivery.uri} (revision ${revision}) to be uploaded: ` +
        `waited ${Math.round(waitedMs / 1000)} s of ${waitSeconds} s; ` +
        (job ? `checking again in ${Math.ceil(remainingMs / 1000)} s.` : `checking again in Job ${jobName}.`),
      actions,
      requeueAfterMs: remainingMs > 0 ? Math.min(remainingMs, deadlineMs - waitedMs) : undefined,
    },
  };
}

/** The submission's current `Validated` condition. */
function validatedCondition(observed: SubmissionObserved) {
  return observed.submission.status?.conditions?.find((c) => c.type === 'Validated');
}

/** How long validation has been waiting for the delivery: since `Validated` last turned Unknown. */
function waitedForDelivery(observed: SubmissionObserved): number {
  const previous = validatedCondition(observed);
  const waiting =
    previous?.status === 'Unknown' && previous.observedGeneration === observed.submission.metadata.generation;
  const since = waiting ? previous.lastTransitionTime : observed.now;
  return Math.max(0, Date.parse(observed.now) - Date.parse(since));
}

function deliveryNotFound(
  observed: SubmissionObserved,
  config: ControllerConfig,
  recorded?: string,
): StepResult {
  const { revision, delivery } = observed.submission.spec;
  const jobName = validationJobName(observed.submission);
  return {
    stop: {
      phase: 'Failed',
      step: 'Validated',
      status: 'False',
      reason: R.DeliveryNotFound,
      message:
        recorded ||
        `No delivery ZIP at ${delivery.uri} after waiting ${config.delivery.waitSeconds} s (delivery.waitSeconds). ` +
          `Upload the ZIP and delete the Job ${jobName} to validate revision ${revision} again, ` +
          'or correct spec.delivery.uri.',
    },
  };
}

/** QA review: open the operator's QAReview, then wait for its decision. */
function reviewStep(observed: SubmissionObserved, _config: ControllerConfig, progress: Progress): StepResult {
  const submission = observed.submission;
  const { revision } = submission.spec;
  const review = observed.review;
  const live = liveNote(observed);
  const candidate = progress.validation?.repair
    ? `The repaired candidate of revision ${revision}`
    : `Revision ${revision}`;
  if (!review || (review.spec.decision ?? 'Pending') === 'Pending') {
    const name = review?.metadata.name ?? qaReviewName(submission);
    progress.children.qaReview = name;
    const actions: Action[] = [];
    let requeueAfterMs: number | undefined;
    if (!review && observed.unboundReviews > 0) requeueAfterMs = POLL_MS.unboundReview;
    else if (!review)
      actions.push({ type: 'create', resource: RESOURCES.qaReview, object: buildQAReview(submission) });
    return {
      stop: {
        phase: 'AwaitingQA',
        step: 'QAApproved',
        status: 'Unknown',
        reason: R.AwaitingReview,
        message: `${candidate} passed validation and is rendered; waiting for a QA decision in QAReview ${name}.${live}`,
        actions,
        requeueAfterMs,
      },
    };
  }
  progress.children.qaReview = review.metadata.name;
  if (review.spec.decision === 'Rejected') {
    progress.rejection = {
      reviewer: review.spec.reviewer,
      comments: review.spec.comments,
      findings: (review.spec.findings ?? []).map((f) => ({ area: f.area, message: f.message })),
      decidedAt: review.status?.decidedAt ?? submission.status?.rejection?.decidedAt ?? observed.now,
    };
    const by = review.spec.reviewer ? ` (${review.spec.reviewer})` : '';
    const comments = review.spec.comments ? `: ${review.spec.comments}` : '';
    return {
      stop: {
        phase: 'Rejected',
        step: 'QAApproved',
        status: 'False',
        reason: R.Rejected,
        message:
          sentence(`QA${by} rejected revision ${revision}${comments}`) +
          ` Fix it and deliver revision ${revision + 1}.${live}`,
      },
    };
  }
  progress.settled.push(
    condition(
      'QAApproved',
      'True',
      R.Approved,
      `Approved by ${review.spec.reviewer ?? 'QA'} in QAReview ${review.metadata.name}.`,
    ),
  );
  return {};
}

/** The version of a newer pointer that makes this approved revision Superseded, as a message. */
function promotionSupersededBy(observed: SubmissionObserved): string | undefined {
  const pointer = observed.storage?.pointer;
  const { asin, revision } = observed.submission.spec;
  if (!pointer || pointer.version <= revision) return undefined;
  return `Version ${pointer.version} of ${asin} is already published`;
}

/** Promotion: point `published.json` at the revision once its ingest completed, then apply retention. */
function promotionStep(
  observed: SubmissionObserved,
  config: ControllerConfig,
  progress: Progress,
): StepResult {
  const submission = observed.submission;
  const { asin, revision } = submission.spec;
  const storage = observed.storage;
  if (!storage) return promotedCondition(observed, progress);
  if (storage.pointer && storage.pointer.version > revision) return {};
  if (!storage.complete) {
    return {
      stop: {
        phase: 'Promoting',
        step: 'Promoted',
        status: 'Unknown',
        reason: R.VersionIncomplete,
        message: `Approved; promotion waits for ${versionKeys(asin, revision).complete}, which the ingest writes last.${liveNote(observed)}`,
        requeueAfterMs: POLL_MS.versionIncomplete,
      },
    };
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
    progress.actions.push({ type: 'putPublishedPointer', pointer });
  }
  const doomed = versionsToDelete({
    stored: storage.stored,
    published: revision,
    previous: pointer.previous,
    inUse: observed.inUse,
    versionsToKeep: config.retention.versionsToKeep,
  });
  if (doomed.length > 0) {
    const before = storage.pointer;
    const everPublished = new Set(before ? [before.version, ...before.previous] : []);
    progress.actions.push({
      type: 'deleteVersions',
      asin,
      revisions: doomed,
      superseded: doomed.filter((r) => everPublished.has(r)),
      live: revision,
      kept: pointer.previous
        .slice(0, Math.max(0, config.retention.versionsToKeep - 1))
        .filter((r) => storage.stored.includes(r) && !doomed.includes(r)),
    });
  }
  return promotedCondition(observed, progress);
}

function promotedCondition(observed: SubmissionObserved, progress: Progress): StepResult {
  const { asin, revision } = observed.submission.spec;
  progress.live = revision;
  progress.settled.push(
    condition('Promoted', 'True', R.Promoted, `assets/${asin}/published.json points at version ${revision}.`),
  );
  return {};
}

/**
 * Rendering: the candidate's RenderJob, until it succeeded. It renders the validated revision into its own
 * version's `renders/`, so QA reviews the real turntable and a rejected candidate's renders go with it.
 */
function renderStep(observed: SubmissionObserved, config: ControllerConfig, progress: Progress): StepResult {
  const submission = observed.submission;
  const { revision } = submission.spec;
  const renderJob = observed.renderJob;
  const name = renderJobName(submission);
  const live = liveNote(observed);
  progress.children.renderJob = name;
  const rendering = `Revision ${revision} passed validation; rendering its turntable for QA in RenderJob ${name}.${live}`;
  if (!renderJob) {
    return {
      stop: {
        phase: 'Rendering',
        step: 'Rendered',
        status: 'Unknown',
        reason: R.RenderPending,
        message: rendering,
        actions: [
          { type: 'create', resource: RESOURCES.renderJob, object: buildRenderJob(submission, config) },
        ],
      },
    };
  }
  const phase = renderJob.status?.phase ?? 'Pending';
  if (phase === 'Failed') {
    return {
      stop: {
        phase: 'Failed',
        step: 'Rendered',
        status: 'False',
        reason: R.RenderFailed,
        message:
          sentence(`RenderJob ${name} failed: ${renderJob.status?.message || 'no reason given'}`) +
          ` Delete the RenderJob ${name} to render again.${live}`,
      },
    };
  }
  if (phase !== 'Succeeded' || !renderJob.status?.outputs) {
    return {
      stop: {
        phase: 'Rendering',
        step: 'Rendered',
        status: 'Unknown',
        reason: R.Rendering,
        message: rendering,
      },
    };
  }
  const frameCount = renderJob.status.framesRendered ?? 0;
  progress.settled.push(
    condition(
      'Rendered',
      'True',
      R.Rendered,
      // The preset's fill check (which frames miss it and by how much) travels with the render.
      `Rendered ${frameCount} frames of revision ${revision} in RenderJob ${renderJob.metadata.name}.` +
        (renderJob.status.fillCheck ? ` ${fillSentence(renderJob.status.fillCheck, frameCount)}` : ''),
    ),
  );
  return {};
}

function published(
  observed: SubmissionObserved,
  config: ControllerConfig,
  base: Assessment,
  progress: Progress,
): Assessment {
  const submission = observed.submission;
  const status = submission.status ?? {};
  const { asin, revision } = submission.spec;
  const renderJob = observed.renderJob;
  const outputs = renderJob?.status?.outputs;
  if (!renderJob || !outputs) throw new Error('unreachable: published without render outputs');
  const keys = versionKeys(asin, revision);
  const framesPrefix = parseKey(outputs.framesPrefix) ?? keys.framesPrefix;
  const format = renderJob.spec.formats?.[0] ?? 'webp';
  const frameCount = renderJob.status?.framesRendered ?? 0;
  const message = `Version ${revision} of ${asin} is live.`;
  // The storefront reads which profiles the live spin meets here; the RenderJob keeps the reasons. A render
  // whose status predates the profiles is judged on the same facts.
  const turntableProfiles = (renderJob.status?.profiles ?? renderProfiles(renderJob)).map(({ id, met }) => ({
    id,
    met,
  }));
  // Storage is read only until the promotion is recorded; later passes keep the USDZ the status names.
  const arModel =
    observed.storage?.arModel ??
    (status.published?.version === revision && status.published.usdzUrl ? keys.arModel : undefined);
  return {
    ...base,
    ...pick(progress),
    actions: progress.actions,
    phase: 'Published',
    liveVersion: revision,
    message,
    published: {
      version: revision,
      bucket: config.s3.assetsBucket,
      prefix: keys.prefix,
      glbUrl: publicUrl(config, keys.model),
      webGlbUrl: publicUrl(config, keys.webModel),
      ...(arModel ? { usdzUrl: publicUrl(config, arModel) } : {}),
      posterUrl: publicUrl(config, parseKey(outputs.posterUri) ?? keys.poster),
      spin: { frameCount, urlTemplate: publicUrl(config, `${framesPrefix}{frame}.${format}`) },
      descriptorsUri: outputs.descriptorsUri,
      turntableProfiles,
      publishedAt:
        status.published?.version === revision
          ? status.published.publishedAt
          : (status.conditions?.find((c) => c.type === 'Promoted' && c.status === 'True')
              ?.lastTransitionTime ?? observed.now),
    },
    conditions: [...progress.settled, condition('Ready', 'True', R.Published, message)],
  };
}

/** `" Version N stays live meanwhile."` while an earlier version of this submission is published. */
function liveNote(observed: SubmissionObserved): string {
  const live = observed.submission.status?.published?.version;
  return live !== undefined && live !== observed.submission.spec.revision
    ? ` Version ${live} stays live meanwhile.`
    : '';
}

function parseKey(uri: string | undefined): string | undefined {
  const match = uri ? /^s3:\/\/[^/]+\/(.*)$/.exec(uri) : null;
  return match?.[1];
}
