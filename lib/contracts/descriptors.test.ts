import { describe, expect, it } from 'vitest';
import {
  buildDescriptorSet,
  DESCRIPTOR_SET_API_VERSION,
  DescriptorSetError,
  parseDescriptorSet,
} from './descriptors.ts';

const valid = () => ({
  apiVersion: DESCRIPTOR_SET_API_VERSION,
  descriptorVersion: 'colour-shape-v1',
  dims: 3,
  frames: [
    { index: 0, angleDeg: 0, vector: [1, 0, 0] },
    { index: 1, angleDeg: 10, vector: [0, 0.6, 0.8] },
  ],
});

describe('parseDescriptorSet', () => {
  it('accepts a document that follows the contract', () => {
    expect(parseDescriptorSet(valid())).toEqual(valid());
  });

  it.each([
    // not an object at all
    ['a string', 'nope', /not a valid DescriptorSet/],
    // a reader must never compare vectors of another document format
    ['another apiVersion', { ...valid(), apiVersion: 'v0' }, /apiVersion/],
    // the renderer and the search API disagree on the length
    [
      'a vector shorter than dims',
      { ...valid(), frames: [{ index: 0, angleDeg: 0, vector: [1, 0] }] },
      /has 2 numbers but dims is 3/,
    ],
    // two frames claiming the same file
    [
      'a repeated frame index',
      { ...valid(), frames: [valid().frames[0], valid().frames[0]] },
      /frame index 0 appears twice/,
    ],
    // angles wrap at 360
    ['an angle of 360', { ...valid(), frames: [{ index: 0, angleDeg: 360, vector: [1, 0, 0] }] }, /angleDeg/],
    // unknown fields are typos, not extensions
    ['an extra field', { ...valid(), extra: true }, /additional properties/],
  ])('rejects %s', (_name, document, message) => {
    expect(() => parseDescriptorSet(document, 's3://b/descriptors.json')).toThrow(DescriptorSetError);
    expect(() => parseDescriptorSet(document, 's3://b/descriptors.json')).toThrow(message);
  });
});

describe('buildDescriptorSet', () => {
  it('rounds vectors to 6 decimals and produces a document parseDescriptorSet accepts', () => {
    const set = buildDescriptorSet('colour-shape-v1', 2, [
      { index: 0, angleDeg: 0, vector: new Float32Array([0.1234567891, 0.5]) },
    ]);
    expect(set.frames[0]?.vector).toEqual([0.123457, 0.5]);
    expect(parseDescriptorSet(JSON.parse(JSON.stringify(set)))).toEqual(set);
  });

  it('refuses vectors of the wrong length', () => {
    expect(() => buildDescriptorSet('colour-shape-v1', 3, [{ index: 0, angleDeg: 0, vector: [1] }])).toThrow(
      /has 1 numbers but dims is 3/,
    );
  });
});
