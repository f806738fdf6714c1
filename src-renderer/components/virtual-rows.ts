// Windowed rendering for long tables: only the rows in view (plus a margin) are in the DOM,
// with spacer rows above and below keeping the scroll height right. 2,000 experiments as
// full rows cost about a second to lay out on a slow machine; a window of ~60 rows costs a
// few milliseconds whatever the length. Rows must have a fixed height (ROW_HEIGHT px).

import { computed, type Ref, ref } from 'vue';

export const ROW_HEIGHT = 31;
const MARGIN = 20;

export interface VirtualRows<T> {
  /** The rows to render, each with its index in the full list. */
  readonly visible: Ref<readonly { readonly item: T; readonly index: number }[]>;
  readonly padTop: Ref<number>;
  readonly padBottom: Ref<number>;
  /** Attach to the scrolling container's scroll event. */
  onScroll(event: Event): void;
  /** Scrolls so that row `index` is in view (for keyboard moves). */
  reveal(container: HTMLElement, index: number): void;
}

/** The window over `items` for a container `viewport` px high (the rendered window is wider). */
export function windowRange(total: number, scrollTop: number, viewport: number): { start: number; end: number } {
  // A scroll position left from a longer list (before a search shrank it) must not leave the
  // window past the end.
  const first = Math.min(Math.floor(scrollTop / ROW_HEIGHT), Math.max(0, total - Math.ceil(viewport / ROW_HEIGHT)));
  const start = Math.max(0, first - MARGIN);
  const end = Math.min(total, first + Math.ceil(viewport / ROW_HEIGHT) + MARGIN);
  return { start, end: Math.max(start, end) };
}

export function useVirtualRows<T>(items: Ref<readonly T[]>, viewport = 900): VirtualRows<T> {
  const scrollTop = ref(0);
  const range = computed(() => windowRange(items.value.length, scrollTop.value, viewport));
  const visible = computed(() => items.value.slice(range.value.start, range.value.end).map((item, i) => ({ item, index: range.value.start + i })));
  return {
    visible,
    padTop: computed(() => range.value.start * ROW_HEIGHT),
    padBottom: computed(() => (items.value.length - range.value.end) * ROW_HEIGHT),
    onScroll(event) {
      scrollTop.value = (event.target as HTMLElement).scrollTop;
    },
    reveal(container, index) {
      const top = index * ROW_HEIGHT;
      const header = ROW_HEIGHT;
      if (top < container.scrollTop) container.scrollTop = top;
      else if (top + ROW_HEIGHT + header > container.scrollTop + container.clientHeight)
        container.scrollTop = top + ROW_HEIGHT + header - container.clientHeight;
      scrollTop.value = container.scrollTop;
    },
  };
}
