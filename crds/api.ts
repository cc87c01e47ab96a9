/**
 * Names of the SHAZAM API (`pipeline.shazam.dev/v1alpha1`) for code that talks to Kubernetes.
 *
 * The CRD YAML files beside this module are the source of truth; `api.test.ts` proves every constant
 * here matches them. It also re-exports the types generated from those files, so one import gives a
 * program both names and shapes. Nothing outside `crds/` is imported, so any program may depend on it.
 */

/** The API group of every SHAZAM kind. */
export const GROUP = 'pipeline.shazam.dev';
/** The served and stored version. */
export const VERSION = 'v1alpha1';
/** `apiVersion` of every SHAZAM object. */
export const API_VERSION = `${GROUP}/${VERSION}`;
/** The `kubectl get shazam` category every kind belongs to. */
export const CATEGORY = 'shazam';

/** How one kind is named in URLs and on the command line. */
export interface KindNames {
  /** `kind` of the object. */
  readonly kind: string;
  /** `kind` of its list. */
  readonly listKind: string;
  /** The resource segment of its URL, such as `assetsubmissions`. */
  readonly plural: string;
  /** The lower-case singular, accepted by kubectl. */
  readonly singular: string;
  /** The short name for kubectl, such as `asub`. */
  readonly shortName: string;
  /** The CustomResourceDefinition's `metadata.name`. */
  readonly crdName: string;
  /** The CRD's YAML file in `crds/`. */
  readonly file: string;
}

function kindNames(kind: string, plural: string, shortName: string): KindNames {
  return {
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    shortName,
    crdName: `${plural}.${GROUP}`,
    file: `${plural}.yaml`,
  };
}

/** AssetSubmission: an artist's delivery of one model revision. */
export const ASSET_SUBMISSION = kindNames('AssetSubmission', 'assetsubmissions', 'asub');
/** QAReview: the QA decision on one submission revision. */
export const QA_REVIEW = kindNames('QAReview', 'qareviews', 'qar');
/** RenderJob: a turntable render of one GLB. */
export const RENDER_JOB = kindNames('RenderJob', 'renderjobs', 'rj');

/** Every SHAZAM kind, in the order the pipeline meets them. */
export const KINDS: readonly KindNames[] = [ASSET_SUBMISSION, QA_REVIEW, RENDER_JOB];

/** `AssetSubmission.status.phase` values, in pipeline order. */
export const ASSET_SUBMISSION_PHASES = [
  'Pending',
  'Validating',
  'ValidationFailed',
  'Rendering',
  'AwaitingQA',
  'Rejected',
  'Promoting',
  'Published',
  'Superseded',
  'Failed',
] as const;
/** One `AssetSubmission.status.phase`. */
export type AssetSubmissionPhase = (typeof ASSET_SUBMISSION_PHASES)[number];

/** `AssetSubmission.status.conditions[].type` values. */
export const ASSET_SUBMISSION_CONDITIONS = [
  'Validated',
  'Rendered',
  'QAApproved',
  'Promoted',
  'Ready',
] as const;
/** One `AssetSubmission` condition type. */
export type AssetSubmissionConditionType = (typeof ASSET_SUBMISSION_CONDITIONS)[number];

/** The production stages an artist can deliver (`AssetSubmission.spec.stages`). */
export const STAGES = ['cleanup', 'uv', 'texturing'] as const;
/** One production stage. */
export type Stage = (typeof STAGES)[number];

/** `AssetSubmission.status.validation.verdict` values. */
export const VALIDATION_VERDICTS = ['Passed', 'Failed'] as const;
/** One validation verdict. */
export type ValidationVerdict = (typeof VALIDATION_VERDICTS)[number];

/** `QAReview.spec.decision` values; Approved and Rejected are final. */
export const QA_DECISIONS = ['Pending', 'Approved', 'Rejected'] as const;
/** One QA decision. */
export type QADecision = (typeof QA_DECISIONS)[number];

/** `QAReview.status.phase` values. */
export const QA_REVIEW_PHASES = ['Open', 'Approved', 'Rejected', 'Orphaned'] as const;
/** One `QAReview.status.phase`. */
export type QAReviewPhase = (typeof QA_REVIEW_PHASES)[number];

/** `QAReview.status.conditions[].type` values. */
export const QA_REVIEW_CONDITIONS = ['Decided'] as const;
/** One `QAReview` condition type. */
export type QAReviewConditionType = (typeof QA_REVIEW_CONDITIONS)[number];

/** `QAReview.spec.findings[].area` values. */
export const QA_FINDING_AREAS = [
  'geometry',
  'uv',
  'texturing',
  'materials',
  'scale',
  'orientation',
  'references',
  'other',
] as const;
/** One QA finding area. */
export type QAFindingArea = (typeof QA_FINDING_AREAS)[number];

/** `QAReview.status.fidelity.references[].verdict` values: how a reference photo matches its best turntable frame. */
export const FIDELITY_VERDICTS = ['Match', 'Check', 'Mismatch'] as const;
/** One reference-photo fidelity verdict. */
export type FidelityVerdict = (typeof FIDELITY_VERDICTS)[number];

/** `RenderJob.status.phase` values. */
export const RENDER_JOB_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed'] as const;
/** One `RenderJob.status.phase`. */
export type RenderJobPhase = (typeof RENDER_JOB_PHASES)[number];

/** `RenderJob.status.conditions[].type` values. */
export const RENDER_JOB_CONDITIONS = ['Complete', 'Scheduled', 'FillCompliant'] as const;
/** One `RenderJob` condition type. */
export type RenderJobConditionType = (typeof RENDER_JOB_CONDITIONS)[number];

/** `RenderJob.spec.formats[]` values. */
export const RENDER_FORMATS = ['webp', 'png'] as const;
/** One frame format. */
export type RenderFormat = (typeof RENDER_FORMATS)[number];

/** `preset` values of RenderJob and of `AssetSubmission.spec.render`. */
export const RENDER_PRESETS = ['amazon-360'] as const;
/** One render preset. */
export type RenderPreset = (typeof RENDER_PRESETS)[number];

/** The settings a turntable is rendered with, once spec, preset and defaults are combined. */
export interface RenderSettings {
  /** Frames around the full turn. */
  frames: number;
  /** Width and height of each square frame, in pixels. */
  resolution: number;
  /** Camera elevation above the horizon, in degrees. */
  elevation: number;
  /** `#rrggbb` or `transparent`. */
  background: string;
}

/** Render settings used where the spec and the preset say nothing. */
export const RENDER_DEFAULTS: Readonly<RenderSettings> = {
  frames: 36,
  resolution: 1024,
  elevation: 15,
  background: '#ffffff',
};

/**
 * Settings each preset implies (Amazon's 360° view spec for `amazon-360`: 72 frames at 5°, square 2000 px,
 * white background; the elevation stays at the default 15°, inside the spec's 10–30° band).
 */
export const RENDER_PRESET_SETTINGS: Readonly<Record<RenderPreset, Readonly<RenderSettings>>> = {
  'amazon-360': { frames: 72, resolution: 2000, elevation: 15, background: '#ffffff' },
};

/** What a preset requires of the camera and of every frame (the renderer checks and reports them). */
export interface RenderPresetRules {
  /** Lowest and highest camera elevation allowed, degrees. */
  minElevation: number;
  maxElevation: number;
  /** Share of every frame the product must fill (its largest extent over the frame's edge). */
  requiredFill: number;
}

/** Each preset's rules (Amazon's 360° spec: elevation 10–30°, the product filling at least 85% of each frame). */
export const RENDER_PRESET_RULES: Readonly<Record<RenderPreset, Readonly<RenderPresetRules>>> = {
  'amazon-360': { minElevation: 10, maxElevation: 30, requiredFill: 0.85 },
};

/** The render fields of a RenderJob spec or of `AssetSubmission.spec.render`. */
export interface RenderRequest {
  frames?: number;
  resolution?: number;
  elevation?: number;
  background?: string;
  preset?: RenderPreset;
}

/**
 * The settings a render uses: each field as the spec sets it, else as its preset implies, else the
 * default. The CRDs' CEL rules already refuse explicit values that contradict a preset.
 *
 * @example
 * resolveRenderSettings({ preset: 'amazon-360', elevation: 20 })
 * // → { frames: 72, resolution: 2000, elevation: 20, background: '#ffffff' }
 */
export function resolveRenderSettings(request: RenderRequest = {}): RenderSettings {
  const base = request.preset ? RENDER_PRESET_SETTINGS[request.preset] : RENDER_DEFAULTS;
  return {
    frames: request.frames ?? base.frames,
    resolution: request.resolution ?? base.resolution,
    elevation: request.elevation ?? base.elevation,
    background: request.background ?? base.background,
  };
}

/** Condition `status` values (metav1.Condition). */
export const CONDITION_STATUSES = ['True', 'False', 'Unknown'] as const;
/** One condition status. */
export type ConditionStatus = (typeof CONDITION_STATUSES)[number];

export type * from './types.generated.ts';
