import { growMemory } from './module.js';

/**
 * Blocks of a WebAssembly memory handed out and taken back, for data that lives in a kernel's
 * memory across calls (an optimizer's moments): first fit over a free list kept in address
 * order, neighbours merged when freed, the memory grown when no free block fits. WebAssembly
 * memory cannot shrink, so what is freed is reused, not returned; the high-water mark is what
 * the process keeps.
 *
 * Blocks are 16-byte aligned (v128 loads and stores) and at least 16 bytes; offset 0 is never
 * handed out, so that 0 can mean "none" to a caller.
 */
export class BlockStore {
  /** Free blocks [start, start + size), in address order, none adjacent to another. */
  private readonly free: { start: number; size: number }[] = [];
  /** Size of each block handed out, by its offset. */
  private readonly sizes = new Map<number, number>();
  /** First byte never handed out. */
  private top = 16;
  private used = 0;

  /**
   * @param memory  the memory the blocks are in; it grows from `top` as needed
   * @param maxBytes  the most it may grow to
   */
  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly maxBytes: number,
  ) {}

  /** Bytes in blocks handed out and not freed. */
  get usedBytes(): number {
    return this.used;
  }

  /** Bytes of memory below the highest block ever handed out (what the process keeps). */
  get reservedBytes(): number {
    return this.top;
  }

  /** The offset of a new block of at least `bytes` bytes, or -1 where the memory cannot hold it. */
  allocate(bytes: number): number {
    const size = Math.max(16, (bytes + 15) & ~15);
    if (!Number.isFinite(bytes) || bytes < 0 || size > this.maxBytes) return -1;
    let start = -1;
    for (let i = 0; i < this.free.length; i++) {
      const block = this.free[i];
      if (block.size < size) continue;
      start = block.start;
      if (block.size === size) this.free.splice(i, 1);
      else {
        block.start += size;
        block.size -= size;
      }
      break;
    }
    if (start < 0) {
      // The last free block may end at top: grow past it instead of leaving it behind.
      const last = this.free[this.free.length - 1];
      const from = last !== undefined && last.start + last.size === this.top ? last.start : this.top;
      if (!growMemory(this.memory, from + size, this.maxBytes)) return -1;
      if (from !== this.top) this.free.pop();
      start = from;
      this.top = from + size;
    }
    this.sizes.set(start, size);
    this.used += size;
    return start;
  }

  /** Takes back the block at `offset` (handed out by `allocate` and not yet freed). */
  release(offset: number): void {
    const size = this.sizes.get(offset);
    if (size === undefined) throw new Error(`losskit: no block at ${offset} to free`);
    this.sizes.delete(offset);
    this.used -= size;
    let i = 0;
    while (i < this.free.length && this.free[i].start < offset) i++;
    const before = this.free[i - 1];
    const after = this.free[i];
    if (before !== undefined && before.start + before.size === offset) {
      before.size += size;
      if (after !== undefined && offset + size === after.start) {
        before.size += after.size;
        this.free.splice(i, 1);
      }
    } else if (after !== undefined && offset + size === after.start) {
      after.start = offset;
      after.size += size;
    } else {
      this.free.splice(i, 0, { start: offset, size });
    }
  }
}
