import { Select } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { findTypeDef, keys, useApi, useInfobaseName, useMetadata } from '../../api/queries';
import { useI18n } from '../../i18n';
import { presentationOf } from './presentation';
import { useRefLabel } from './use-ref-label';

type Props = {
  to: string;
  label: string;
  value: string | null;
  onChange: (value: string | null) => void;
  error?: string | undefined;
  required?: boolean | undefined;
  readOnly?: boolean | undefined;
  /** For a field in a table line: the label is not shown, only read out. */
  hiddenLabel?: boolean;
};

/** A reference field: choose an object of the referenced catalog, searching on the host as you type. */
export function RefSelect({ to, label, value, onChange, error, required, readOnly, hiddenLabel }: Props) {
  const ib = useInfobaseName();
  const api = useApi();
  const { t, language } = useI18n();
  const metadata = useMetadata().data;
  const def = findTypeDef(metadata, to);
  const currentLabel = useRefLabel(to, value);
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 200);
  const searching = debounced && debounced !== currentLabel ? debounced : '';
  const options = useQuery({
    queryKey: [...keys.objects(ib, to), 'options', searching],
    queryFn: () => api.list(to, { search: searching, limit: 50 }),
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
  const data = (options.data?.items ?? []).map((object) => ({
    value: object.ref,
    label: presentationOf(def, object, language) || object.ref,
  }));
  if (value && !data.some((option) => option.value === value)) {
    data.unshift({ value, label: currentLabel ?? '…' });
  }
  return (
    <Select
      {...(hiddenLabel ? { 'aria-label': label } : { label })}
      placeholder={t('objects.refPlaceholder')}
      data={data}
      value={value}
      onChange={onChange}
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options: all }) => all}
      clearable={!required && !readOnly}
      required={required}
      readOnly={readOnly}
      error={error}
      nothingFoundMessage={t('objects.empty')}
      comboboxProps={{ withinPortal: true }}
      maxDropdownHeight={280}
    />
  );
}
