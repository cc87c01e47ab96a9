import { describe, expect, it } from 'vitest';
import { assetSubmission } from '../test-support/asset-submission.ts';
import { catalogView } from './cache-view.ts';
import { type PublishedAsset, publishedAssetOf } from './published-asset.ts';

describe('publishedAssetOf and the catalogue view', () => {
  it.each([
    ['a version published with a USDZ', true, true],
    ['a version published before USDZ existed', false, undefined],
  ])('%s', (_name, withUsdz, arModel) => {
    const { object, status } = assetSubmission('chair', 'shop', 'B0ARQUICK1').published(2, 'assets').build();
    const published = status.published as Record<string, unknown>;
    if (withUsdz) published.usdzUrl = 's3://assets/assets/B0ARQUICK1/versions/2/model.usdz';
    const asset = publishedAssetOf(catalogView({ ...object, status })) as PublishedAsset;
    expect(asset.asin).toBe('B0ARQUICK1');
    expect(asset.arModel).toBe(arModel);
  });
});
