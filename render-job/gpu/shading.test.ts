import { describe, expect, it } from 'vitest';
import {
  clearcoatFresnel,
  dielectricSpecular,
  environmentBRDF,
  f0FromIor,
  sheenAlbedo,
  sheenScaling,
  specularOcclusion,
  specularScattering,
} from './shading.ts';

const ANGLES = [0.02, 0.1, 0.3, 0.5, 0.7, 0.9, 1];
const ROUGHNESS = [0.05, 0.2, 0.4, 0.6, 0.8, 1];

describe('shading functions', () => {
  it('F0 of a dielectric follows its index: 4% for glass and plastics, none for air', () => {
    expect(f0FromIor(1.5)).toBeCloseTo(0.04, 6);
    expect(f0FromIor(1)).toBe(0);
    expect(f0FromIor(2.4)).toBeCloseTo(0.17, 2); // diamond
  });

  it('KHR_materials_specular scales and tints the dielectric reflection, F90 included', () => {
    const plain = dielectricSpecular(1.5, 1, [1, 1, 1]);
    for (const f of plain.f0) expect(f).toBeCloseTo(0.04, 6);
    expect(plain.f90).toBe(1);
    const tinted = dielectricSpecular(1.5, 0.5, [1, 0.5, 0]);
    expect(tinted.f0[0]).toBeCloseTo(0.02, 6);
    expect(tinted.f0[1]).toBeCloseTo(0.01, 6);
    expect(tinted.f0[2]).toBe(0);
    expect(tinted.f90).toBe(0.5);
    // F0 never exceeds 1, whatever colour is asked for.
    expect(dielectricSpecular(1e4, 1, [30, 30, 30]).f0).toEqual([1, 1, 1]);
  });

  it('the environment BRDF stays within [0, 1] and reflects more at grazing angles', () => {
    for (const roughness of ROUGHNESS) {
      for (const nDotV of ANGLES) {
        const [scale, bias] = environmentBRDF(roughness, nDotV);
        expect(scale + bias).toBeGreaterThanOrEqual(0);
        expect(scale + bias).toBeLessThanOrEqual(1.0001);
      }
    }
    for (const roughness of [0.05, 0.2, 0.4, 0.6, 0.8]) {
      // F90's share (the bias) grows towards grazing.
      expect(environmentBRDF(roughness, 0.1)[1]).toBeGreaterThan(environmentBRDF(roughness, 1)[1]);
    }
  });

  it('multiple scattering conserves energy: a white metal reflects everything, nothing reflects more', () => {
    for (const roughness of ROUGHNESS) {
      for (const nDotV of ANGLES) {
        const white = specularScattering([1, 1, 1], 1, roughness, nDotV);
        expect(white.single[0] + white.multi[0]).toBeCloseTo(1, 5);
        const gold = specularScattering([1, 0.78, 0.34], 1, roughness, nDotV);
        for (let c = 0; c < 3; c++) {
          expect(gold.single[c]! + gold.multi[c]!).toBeLessThanOrEqual(1.0001);
          expect(gold.multi[c]!).toBeGreaterThanOrEqual(0);
        }
      }
    }
    // Rough metals lose most to single scattering: the compensation matters there.
    const rough = specularScattering([0.5, 0.5, 0.5], 1, 1, 0.7);
    const smooth = specularScattering([0.5, 0.5, 0.5], 1, 0.05, 0.7);
    expect(rough.multi[0]).toBeGreaterThan(smooth.multi[0] * 5);
  });

  it('sheen albedo lies in [0, 1], rises towards grazing angles and with roughness', () => {
    for (const roughness of [0.07, 0.2, 0.3, 0.5, 0.8, 1]) {
      let previous = Number.POSITIVE_INFINITY;
      for (const nDotV of ANGLES) {
        const albedo = sheenAlbedo(nDotV, roughness);
        expect(albedo).toBeGreaterThanOrEqual(0);
        expect(albedo).toBeLessThanOrEqual(1);
        expect(albedo).toBeLessThanOrEqual(previous + 1e-9);
        previous = albedo;
      }
    }
    expect(sheenAlbedo(0.5, 0.8)).toBeGreaterThan(sheenAlbedo(0.5, 0.3));
  });

  it('sheen dims the layers beneath by what it reflects, and not at all when black', () => {
    expect(sheenScaling([0, 0, 0], 0.5, 0.5)).toBe(1);
    const scaling = sheenScaling([1, 0.5, 0.5], 0.2, 0.5);
    expect(scaling).toBeCloseTo(1 - sheenAlbedo(0.2, 0.5), 9);
    expect(scaling).toBeLessThan(1);
  });

  it('specular occlusion is the occlusion for rough surfaces, none where nothing is occluded', () => {
    for (const roughness of ROUGHNESS) {
      for (const nDotV of ANGLES) expect(specularOcclusion(nDotV, 1, roughness)).toBeCloseTo(1, 9);
    }
    expect(specularOcclusion(0.8, 0.4, 1)).toBeCloseTo(0.4, 1);
    expect(specularOcclusion(0.8, 0.4, 0.05)).toBeGreaterThan(0.4);
    expect(specularOcclusion(0.8, 0, 0.5)).toBe(0);
  });

  it('the clear coat reflects 4% head-on and everything at grazing, scaled by its strength', () => {
    expect(clearcoatFresnel(1, 1)).toBeCloseTo(0.04, 9);
    expect(clearcoatFresnel(1, 0)).toBeCloseTo(1, 9);
    expect(clearcoatFresnel(0.5, 1)).toBeCloseTo(0.02, 9);
    expect(clearcoatFresnel(0, 0.3)).toBe(0);
  });
});
