import { Type } from '@sinclair/typebox';
import { schemasWithRefs } from './refs';

const Inner = Type.Object({ x: Type.Number() }, { description: 'inner' });
const Outer = Type.Object({ a: Inner, b: Type.Optional(Inner), list: Type.Array(Inner), y: Type.String() });

describe('schemasWithRefs', () => {
  it('names every nested copy of a named schema with a $ref, and leaves the named schema itself whole', () => {
    const out = schemasWithRefs({ Inner, Outer }, '#/defs/');
    expect(out['Inner']).toEqual(JSON.parse(JSON.stringify(Inner)));
    expect(out['Outer']).toEqual({
      type: 'object',
      required: ['a', 'list', 'y'],
      properties: {
        a: { $ref: '#/defs/Inner' },
        b: { $ref: '#/defs/Inner' },
        list: { type: 'array', items: { $ref: '#/defs/Inner' } },
        y: { type: 'string' },
      },
    });
  });

  it('matches by content whatever the key order, and leaves a different schema inline', () => {
    const reordered = { properties: { x: { type: 'number' } }, required: ['x'], type: 'object', description: 'inner' };
    const other = Type.Object({ x: Type.Number() }, { description: 'another' });
    const out = schemasWithRefs({ Inner, Holder: { type: 'object', properties: { r: reordered, o: other } } }, '#/');
    const props = (out['Holder'] as { properties: Record<string, unknown> }).properties;
    expect(props['r']).toEqual({ $ref: '#/Inner' });
    expect(props['o']).toEqual(JSON.parse(JSON.stringify(other)));
  });
});
