// Keyboard use of a table's rows: ArrowUp / ArrowDown move the focus between rows (each row
// has tabindex), Home / End jump, Enter opens the focused row and Space toggles its
// selection. Attach `onKeydown` to the <tbody>; rows need the `data-row` attribute.

export interface RowNavigationActions {
  /** Enter on a row (its data-row value). */
  readonly open?: (key: string) => void;
  /** Space on a row. */
  readonly toggle?: (key: string) => void;
}

export function rowNavigation(actions: RowNavigationActions = {}): (event: KeyboardEvent) => void {
  return (event) => {
    const row = (event.target as HTMLElement | null)?.closest<HTMLElement>('tr[data-row]');
    const body = row?.parentElement;
    if (row === null || row === undefined || body === null || body === undefined) return;
    const rows = [...body.querySelectorAll<HTMLElement>(':scope > tr[data-row]')];
    const at = rows.indexOf(row);
    const focus = (i: number): void => {
      const next = rows[Math.max(0, Math.min(rows.length - 1, i))];
      next?.focus();
      next?.scrollIntoView({ block: 'nearest' });
    };
    const key = row.dataset.row ?? '';
    if (event.target !== row) return; // Keys inside inputs of the row belong to the inputs.
    switch (event.key) {
      case 'ArrowDown':
        focus(at + 1);
        break;
      case 'ArrowUp':
        focus(at - 1);
        break;
      case 'Home':
        focus(0);
        break;
      case 'End':
        focus(rows.length - 1);
        break;
      case 'Enter':
        actions.open?.(key);
        break;
      case ' ':
        actions.toggle?.(key);
        break;
      default:
        return;
    }
    event.preventDefault();
  };
}
