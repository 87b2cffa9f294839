import ELK from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import { layoutGraph, type LayoutBox, type LayoutLink } from '../../src-renderer/lib/graph-layout.ts';

const elk = new ELK();
const box = (id: string): LayoutBox => ({ id, width: 180, height: 70 });
const link = (source: string, target: string): LayoutLink => ({ id: `${source}>${target}`, source, target });

describe('layoutGraph', () => {
  it('lays a chain out top to bottom, one below the other', async () => {
    const at = await layoutGraph(elk, ['input', 'a', 'b'].map(box), [link('input', 'a'), link('a', 'b')]);
    expect(at.get('input')!.y).toBeLessThan(at.get('a')!.y);
    expect(at.get('a')!.y).toBeLessThan(at.get('b')!.y);
    expect(at.get('a')!.y - at.get('input')!.y).toBeGreaterThanOrEqual(70);
  });

  it('puts two branches side by side and the merge below both', async () => {
    const at = await layoutGraph(elk, ['input', 'left', 'right', 'merge'].map(box), [
      link('input', 'left'),
      link('input', 'right'),
      link('left', 'merge'),
      link('right', 'merge'),
    ]);
    expect(at.get('left')!.y).toBe(at.get('right')!.y);
    expect(Math.abs(at.get('left')!.x - at.get('right')!.x)).toBeGreaterThanOrEqual(180);
    expect(at.get('merge')!.y).toBeGreaterThan(at.get('left')!.y);
  });

  it('lays out a 40-node residual tower without overlaps and ignores edges to missing nodes', async () => {
    const ids = ['input', ...Array.from({ length: 39 }, (_, i) => `n${i}`)];
    const links: LayoutLink[] = ids.slice(1).map((id, i) => link(ids[i]!, id));
    for (let i = 3; i < ids.length; i += 3) links.push(link(ids[i - 3]!, ids[i]!));
    links.push(link('ghost', 'n1'));
    const at = await layoutGraph(elk, ids.map(box), links);
    expect(at.size).toBe(40);
    const points = [...at.values()];
    for (let i = 0; i < points.length; i++)
      for (let j = i + 1; j < points.length; j++) {
        const overlap = Math.abs(points[i]!.x - points[j]!.x) < 180 && Math.abs(points[i]!.y - points[j]!.y) < 70;
        expect(overlap).toBe(false);
      }
  });
});
