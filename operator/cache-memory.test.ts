import { describe, expect, it } from 'vitest';
import { retainedHeap } from '../test/support/memory/retained-heap.ts';
import { OPERATOR_TRANSFORMS } from './cache.ts';
import { publishedAsset } from './test-support/published-asset.ts';

const KiB = 1024;

/**
 * Asset `index`'s three objects as the apiserver sends them in a list page: with uid, resourceVersion,
 * creation time and `managedFields`, and times of their own (a catalogue is published over months).
 */
function storedObjects(index: number): { submission: string; review: string; renderJob: string } {
  const asset = publishedAsset(index);
  const time = new Date(Date.UTC(2026, 0, 1) + index * 7_919_000).toISOString();
  const uid = (kind: number) =>
    `${kind}f2c${index.toString(16).padStart(4, '0')}-1a2b-4c3d-8e9f-${index.toString(16).padStart(12, '0')}`;
  const stored = (object: { apiVersion?: string; metadata: object }, kind: number, status: unknown) =>
    JSON.stringify({
      ...object,
      metadata: {
        ...object.metadata,
        uid: uid(kind),
        resourceVersion: String(10_000 + index * 3 + kind),
        generation: 1,
        creationTimestamp: time.replace('.000', ''),
        managedFields: [
          {
            manager: 'shazam',
            operation: 'Update',
            apiVersion: object.apiVersion,
            time,
            fieldsType: 'FieldsV1',
          },
          {
            manager: 'shazam-operator',
            operation: 'Update',
            apiVersion: object.apiVersion,
            time,
            subresource: 'status',
          },
        ],
      },
      status,
    }).replaceAll('2026-12-05T12:00:00.000Z', time);
  return {
    submission: stored(asset.submission, 1, asset.submissionStatus),
    review: stored(asset.review(uid(1)), 2, asset.reviewStatus),
    renderJob: stored(asset.renderJob(uid(1)), 3, asset.renderJobStatus),
  };
}

describe("the operator's cache of a published catalogue", () => {
  it('holds a published asset (submission, QAReview, RenderJob) in at most 5 KiB of heap', () => {
    const count = 5_000;
    const pages = Array.from({ length: count }, (_, index) => storedObjects(index));
    const { bytes, value: cache } = retainedHeap(() =>
      pages.map((page) => ({
        submission: OPERATOR_TRANSFORMS.AssetSubmission(JSON.parse(page.submission)),
        review: OPERATOR_TRANSFORMS.QAReview(JSON.parse(page.review)),
        renderJob: OPERATOR_TRANSFORMS.RenderJob(JSON.parse(page.renderJob)),
      })),
    );
    // What the controllers read is all there.
    const last = cache[count - 1]!;
    expect(last.submission.spec.asin).toBe(publishedAsset(count - 1).submission.spec.asin);
    expect(last.submission.status?.phase).toBe('Published');
    expect(last.review.status?.render?.framesRendered).toBe(36);
    expect(last.renderJob.status?.outputs?.posterUri).toMatch(/poster\.webp$/);
    // Whole but for managedFields, the three took 6.9 KiB: 100,000 did not fit the 768 MiB heap.
    expect(bytes / count).toBeLessThanOrEqual(5 * KiB);
  });
});
