/**
 * correlation id → process id of the runtime/driver call that carries it (a Map<number, number> in behaviour).
 *
 * Why not a Map: it is read for every GPU event and written for every API call, and with one entry per call a
 * trace's Map grows to hundreds of thousands of entries, where each access cost ~150 ns (about 5 % of an import).
 * Kineto's correlation ids are small non-negative integers counting up from 1, so those index pages of a Float64Array
 * (NaN: no entry), each page made when an id in it is first set; anything else (fractions, negatives, ids past
 * DENSE_LIMIT, or new pages once MAX_PAGES are made) goes to a Map.
 * Why pages rather than one array: a long trace's ids pass a million (a 500 MB trace reaches 2.5 M), and one array
 * covering them all would cost its whole size for a trace that holds a single large id; a page costs 32 KB.
 */

const PAGE_BITS = 12;
const PAGE_SIZE = 1 << PAGE_BITS;
/** Ids below this may use the pages (those past it are rare enough for the Map); the page list stays <= 512 KB. */
const DENSE_LIMIT = 2 ** 28;
/** At most this many pages (64 MB, 16 M ids), however sparse the ids. */
const MAX_PAGES = 2048;

export class CorrelationProcesses {
  private readonly pages: (Float64Array | undefined)[] = [];
  private pageCount = 0;
  private readonly sparse = new Map<number, number>();

  get(correlation: number): number | undefined {
    if (isDenseId(correlation)) {
      const page = this.pages[correlation >>> PAGE_BITS];
      if (page !== undefined) {
        const pid = page[correlation & (PAGE_SIZE - 1)];
        return Number.isNaN(pid) ? undefined : pid;
      }
    }
    // An id without a page may be in the Map: once MAX_PAGES are made, new ones go there (and never get a page).
    return this.sparse.get(correlation);
  }

  /** `pid` is finite (the mapper's num() gives only finite numbers), so NaN never stands for a stored value. */
  set(correlation: number, pid: number): void {
    const page = isDenseId(correlation) ? this.pageOf(correlation) : undefined;
    if (page === undefined) this.sparse.set(correlation, pid);
    else page[correlation & (PAGE_SIZE - 1)] = pid;
  }

  /** The page of a dense id, made if needed; undefined when it has none and no more may be made. */
  private pageOf(correlation: number): Float64Array | undefined {
    const k = correlation >>> PAGE_BITS;
    let page = this.pages[k];
    if (page === undefined && this.pageCount < MAX_PAGES) {
      page = new Float64Array(PAGE_SIZE).fill(NaN);
      while (this.pages.length < k) this.pages.push(undefined); // no holes: V8 keeps a packed array fast
      this.pages[k] = page;
      this.pageCount++;
    }
    return page;
  }
}

function isDenseId(v: number): boolean {
  // -0 passes and indexes element 0, as a Map would treat it as the key 0.
  return v >= 0 && v < DENSE_LIMIT && v === Math.floor(v);
}
