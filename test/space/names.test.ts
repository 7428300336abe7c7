import { describe, expect, it } from 'vitest';
import { genomeFromJson, genomeId, parseGenomeArg, parseName, SpaceError, yolobenchArchitectures as spaceArchitectures, type Genome } from '../../space/index.js';
import { yolobenchArchitectures, yolobenchModelNames } from '../helpers/yolobench.js';

describe('YOLOBench names', () => {
  it('the ground-truth table has 88 architectures, the ones the space lists as YOLOBench', () => {
    expect(yolobenchArchitectures()).toHaveLength(88);
    expect([...spaceArchitectures()].sort()).toEqual([...yolobenchArchitectures()].sort());
  });

  it('all 968 model names parse to genomes and print back to the same name', () => {
    const names = yolobenchModelNames();
    expect(names).toHaveLength(968);
    for (const name of names) expect(genomeId(parseName(name))).toBe(name);
  });

  it('reads scales and multiples as YOLOBench defines them', () => {
    expect(parseName('yolo5d67w25_320')).toMatchObject({ backbone: 'v5', neck: 'v5', depth: 0.67, width: 0.25, resolution: 320, activation: 'family', head: 'v8' });
    expect(parseName('yolo6l-d33w5_480')).toMatchObject({ backbone: 'v6l', neck: 'v6l', depth: 0.33, width: 0.5, resolution: 480 });
    expect(parseName('yolo7n_224')).toMatchObject({ backbone: 'v7', depth: 0.33, width: 0.25 });
    expect(parseName('yolo8d1w75_160')).toMatchObject({ depth: 1, width: 0.75 });
    expect(parseName('yolo3l_256')).toMatchObject({ depth: 1, width: 1 });
  });

  it('gives one canonical id to equal genomes', () => {
    expect(genomeId(parseName('yolo8d33w25_320'))).toBe('yolo8n_320');
    expect(genomeId(parseName('yolo6s_320'))).toBe('yolo6s-d33w5_320');
    expect(genomeId(parseName('yolo5d60w50_320'))).toBe('yolo5d6w5_320');
  });
});

describe('names beyond YOLOBench', () => {
  const cases = ['yolo8n+n5_320', 'yolo5s+n6s+arelu6_416', 'yolo3d5w33+n4+hv8lite_96', 'yolo8n+sd1x0.5x1x1.5+sw0.75x1x1x1_1280', 'yolo6m-d6w1+n8+ahardswish_640', 'yolo7d1w10_160'];
  for (const name of cases) {
    it(`${name} round-trips`, () => {
      expect(genomeId(parseName(name))).toBe(name);
    });
  }

  it('accepts a genome as JSON, with defaults for optional genes', () => {
    const g = parseGenomeArg('{"backbone":"v8","depth":0.33,"width":0.25,"resolution":320}');
    expect(genomeId(g)).toBe('yolo8n_320');
    const full: Genome = { ...g, neck: 'v5', activation: 'relu', stageWidth: [1, 1, 0.5, 1] };
    expect(genomeId(genomeFromJson(JSON.parse(JSON.stringify(full))))).toBe('yolo8n+n5+arelu+sw1x1x0.5x1_320');
  });
});

describe('bad names and genomes are rejected with a message that says what would be right', () => {
  const bad: [string, RegExp][] = [
    ['yolo9n_320', /not a known architecture.*yolo\{3,4,5,7,8\}/],
    ['yolo8n', /no resolution.*_320/],
    ['yolo8n_abc', /not a number of pixels/],
    ['yolo8n_321', /resolution 321 is not valid: use a multiple of 32 from 96 to 1280/],
    ['yolo8n_64', /resolution 64 is not valid/],
    ['yolo8n_1312', /resolution 1312 is not valid/],
    ['yolo8d33w125_320', /width code '125' is not valid/],
    ['yolo8d0w25_320', /depth 0 is out of range: use a number from 0.1 to 1/],
    ['yolo8d05w25_320', /depth 0.05 is out of range/],
    ['yolo8n+n7_320', /illegal pairing: backbone v8 ends in an SPP block and neck v7 starts with one/],
    ['yolo5s+n4_320', /illegal pairing/],
    ['yolo8n+n9_320', /unknown neck family '9'/],
    ['yolo8n+aswish_320', /unknown activation 'swish': use one of family, silu, relu/],
    ['yolo8n+sw1x1x3x1_320', /stage width multiplier 3 is out of range: use a number from 0.25 to 2/],
    ['yolo8n+sw1x1_320', /four multipliers/],
    ['yolo8n+zz_320', /unknown extension '\+zz'/],
  ];
  for (const [name, message] of bad) {
    it(name, () => {
      expect(() => parseName(name)).toThrow(SpaceError);
      expect(() => parseName(name)).toThrow(message);
    });
  }

  it('JSON genomes: unknown fields, wrong types, out-of-range values', () => {
    expect(() => parseGenomeArg('{"backbone":"v8","depth":0.33,"width":0.25,"resolution":320,"colour":1}')).toThrow(/unknown genome field\(s\) colour/);
    expect(() => parseGenomeArg('{"backbone":"v8","depth":"deep","width":0.25,"resolution":320}')).toThrow(/'depth' must be a number/);
    expect(() => parseGenomeArg('{"backbone":"v9","depth":0.33,"width":0.25,"resolution":320}')).toThrow(/unknown backbone family 'v9'/);
    expect(() => parseGenomeArg('{"backbone":"v8","depth":0.33,"width":1.5,"resolution":320}')).toThrow(/width 1.5 is out of range/);
    expect(() => parseGenomeArg('{"backbone":')).toThrow(/does not parse/);
  });
});
