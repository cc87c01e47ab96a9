import { strToU8, zipSync } from 'three/examples/jsm/libs/fflate.module.js';
import { describe, expect, it } from 'vitest';
import { checkUsdzPackage } from './usdz-package.ts';

const LAYER = strToU8('#usda 1.0\n'.repeat(50));

describe('checkUsdzPackage', () => {
  it('refuses a package whose entries are deflated', () => {
    const zip = zipSync({ 'model.usda': LAYER }, { level: 9 });
    expect(checkUsdzPackage(zip)).toContain('model.usda is compressed (method 8)');
  });

  it('refuses entries whose data is not 64-byte aligned', () => {
    const zip = zipSync({ 'model.usda': LAYER, 'textures/a.png': new Uint8Array(10) }, { level: 0 });
    expect(checkUsdzPackage(zip).some((problem) => problem.includes('not 64-byte aligned'))).toBe(true);
  });

  it('refuses a package whose first entry is not a USD layer', () => {
    const zip = zipSync({ 'textures/a.png': new Uint8Array(10), 'model.usda': LAYER }, { level: 0 });
    expect(checkUsdzPackage(zip)[0]).toBe('the first entry textures/a.png is not a USD layer');
  });

  it('refuses bytes that are not a ZIP', () => {
    expect(checkUsdzPackage(new Uint8Array(64))).toEqual(['no ZIP local file header at the start']);
  });
});
