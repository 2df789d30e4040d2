import { useState } from 'preact/hooks';
import type { Worker } from './api-types';
import type { FilterKey, Filters } from './session-filters';

interface Props {
  filters: Filters;
  workers: Worker[];
  onApply: (filters: Filters) => void;
}

/** The session list's filter form; applying it starts again from the first page. */
export function SessionFilters({ filters, workers, onApply }: Props) {
  const [draft, setDraft] = useState<Filters>(filters);
  const set = (key: FilterKey) => (e: Event) =>
    setDraft({ ...draft, [key]: (e.currentTarget as HTMLInputElement | HTMLSelectElement).value });
  return (
    <form
      class="filters"
      onSubmit={(e) => {
        e.preventDefault();
        onApply(draft);
      }}
    >
      <label>
        Worker
        <select name="workerId" value={draft.workerId ?? ''} onChange={set('workerId')}>
          <option value="">any</option>
          {workers.map((w) => (
            <option key={w.id} value={w.id}>
              {w.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        From
        <input name="from" type="date" value={draft.from ?? ''} onInput={set('from')} />
      </label>
      <label>
        To
        <input name="to" type="date" value={draft.to ?? ''} onInput={set('to')} />
      </label>
      <label>
        Status
        <select name="status" value={draft.status ?? ''} onChange={set('status')}>
          <option value="">any</option>
          <option value="complete">complete</option>
          <option value="incomplete">incomplete</option>
          <option value="abandoned">abandoned</option>
          <option value="active">recording</option>
        </select>
      </label>
      <label>
        Host
        <input name="host" placeholder="shop.example" value={draft.host ?? ''} onInput={set('host')} />
      </label>
      <label>
        Narration
        <select name="hasNarration" value={draft.hasNarration ?? ''} onChange={set('hasNarration')}>
          <option value="">any</option>
          <option value="true">with narration</option>
          <option value="false">without</option>
        </select>
      </label>
      <button type="submit">Filter</button>
    </form>
  );
}
