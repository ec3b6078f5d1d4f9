/**
 * The wasm backend's working memory: one growable WebAssembly.Memory, carved per call by a bump
 * allocator (`layout()`), so a call allocates nothing in steady state. Every region is 16-byte
 * aligned (v128 loads and stores stay aligned where the data allows).
 */

/**
 * Pointers are i32 and the kernels compare them signed, so the arena addresses at most 2 GiB.
 */
const MAX_BYTES = 2 ** 31 - 65536;
const PAGE = 65536;

export class Layout {
  top = 0;
  /** Reserve `bytes` (rounded up to 16); returns the byte offset. */
  alloc(bytes: number): number {
    const at = this.top;
    this.top += Math.ceil(bytes / 16) * 16;
    return at;
  }
}

export class Arena {
  private view: Float32Array;

  constructor(readonly memory: WebAssembly.Memory) {
    this.view = new Float32Array(memory.buffer);
  }

  layout(): Layout {
    return new Layout();
  }

  /**
   * A Float32 view of memory with at least `bytes` bytes, growing the memory if needed. Growing
   * detaches the previous ArrayBuffer, so views must not be kept across calls.
   */
  ensure(bytes: number, who: string): Float32Array {
    if (bytes > MAX_BYTES) {
      throw new Error(`${who}: needs ${bytes} bytes of linear memory, more than the ${MAX_BYTES} this backend addresses; use the 'js' backend`);
    }
    const have = this.memory.buffer.byteLength;
    if (bytes > have) {
      // Grow at least geometrically so a slowly growing workload does not grow on every call.
      const want = Math.min(MAX_BYTES, Math.max(bytes, 2 * have));
      this.memory.grow(Math.ceil((want - have) / PAGE));
    }
    if (this.view.buffer !== this.memory.buffer) this.view = new Float32Array(this.memory.buffer);
    return this.view;
  }
}
