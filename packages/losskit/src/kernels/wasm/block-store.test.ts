// The block store of kernel memory: 16-byte aligned blocks that never overlap, freed blocks reused
// first fit and merged with free neighbours, growth only when nothing free fits (the last free
// block at the top grown rather than left behind), and -1 past the limit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { random } from '../../../../../test/helpers/random.js';
import { BlockStore } from './block-store.js';

const PAGE = 65536;

function store(maxPages = 64): { s: BlockStore; memory: WebAssembly.Memory } {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: maxPages, shared: true });
  return { s: new BlockStore(memory, maxPages * PAGE), memory };
}

test('blocks are aligned, disjoint, inside the memory, and never at offset 0', () => {
  const { s, memory } = store();
  const next = random(1);
  const live = new Map<number, number>();
  for (let i = 0; i < 2000; i++) {
    if (live.size > 0 && next() < 0.45) {
      const keys = [...live.keys()];
      const at = keys[Math.floor(next() * keys.length)];
      s.release(at);
      live.delete(at);
      continue;
    }
    const bytes = Math.floor(next() * 5000);
    const at = s.allocate(bytes);
    assert.ok(at > 0 && at % 16 === 0, `offset ${at}`);
    assert.ok(at + bytes <= memory.buffer.byteLength, 'inside the memory');
    for (const [other, size] of live)
      assert.ok(
        at + bytes <= other || other + size <= at,
        `[${at}, +${bytes}) overlaps [${other}, +${size})`,
      );
    live.set(at, bytes);
  }
  let used = 0;
  for (const bytes of live.values()) used += Math.max(16, (bytes + 15) & ~15);
  assert.equal(s.usedBytes, used);
});

test('a freed block is reused, and freed neighbours merge into one block', () => {
  const { s } = store();
  const a = s.allocate(100);
  const b = s.allocate(100);
  const c = s.allocate(100);
  const top = s.reservedBytes;
  s.release(b);
  assert.equal(s.allocate(112), b, 'the freed block fits again');
  s.release(a);
  s.release(b); // merges with a before it
  s.release(c); // merges with a + b before it
  assert.equal(s.usedBytes, 0);
  assert.equal(s.allocate(3 * 112), a, 'the three merged blocks hold one of their joint size');
  assert.equal(s.reservedBytes, top, 'without growing');
});

test('growth reuses a free block at the top, and the limit gives -1', () => {
  const { s, memory } = store(4);
  const a = s.allocate(PAGE);
  const b = s.allocate(1000);
  s.release(b);
  const big = s.allocate(2 * PAGE);
  assert.equal(big, b, 'the free block at the top is extended, not skipped');
  assert.ok(memory.buffer.byteLength >= b + 2 * PAGE);
  assert.equal(s.allocate(4 * PAGE), -1, 'past the limit');
  assert.equal(s.allocate(Number.NaN), -1);
  assert.throws(() => s.release(a + 16), /no block at/);
});
