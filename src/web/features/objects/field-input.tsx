import { Checkbox, Select, Textarea, TextInput } from '@mantine/core';
import type { FieldDef } from '../../api/types';
import { useI18n } from '../../i18n';
import type { FormScalar } from './form-model';
import { RefSelect } from './ref-select';

type Props = {
  field: FieldDef;
  value: FormScalar;
  onChange: (value: FormScalar) => void;
  error?: string | undefined;
  readOnly?: boolean;
  /** In a table line: a label read out for the field, not shown above it. */
  ariaLabel?: string;
};

/** One field of a catalog item or document, its input chosen by the field's declared type. */
export function FieldInput({ field, value, onChange, error, readOnly, ariaLabel }: Props) {
  const { label } = useI18n();
  const title = ariaLabel ?? label(field.label);
  const labelProps = ariaLabel ? { 'aria-label': ariaLabel } : { label: title };
  const common = {
    ...labelProps,
    error,
    required: field.required === true && field.default === undefined,
    readOnly,
    'data-field': field.name,
  };
  const text = typeof value === 'string' ? value : '';
  const type = field.type;
  switch (type.kind) {
    case 'boolean':
      return (
        <Checkbox
          {...labelProps}
          checked={value === true}
          onChange={(event) => onChange(event.currentTarget.checked)}
          disabled={readOnly}
          error={error}
          data-field={field.name}
          mt={ariaLabel ? 0 : 'lg'}
        />
      );
    case 'enum':
      return (
        <Select
          {...common}
          data={type.values.map((option) => ({ value: option, label: label(type.labels?.[option], option) }))}
          value={typeof value === 'string' ? value : null}
          onChange={onChange}
          clearable={!field.required}
          allowDeselect={!field.required}
        />
      );
    case 'ref':
      return (
        <RefSelect
          to={type.to}
          label={title}
          hiddenLabel={Boolean(ariaLabel)}
          value={typeof value === 'string' ? value : null}
          onChange={onChange}
          error={error}
          required={common.required}
          readOnly={readOnly}
        />
      );
    case 'string':
      return type.multiline ? (
        <Textarea
          {...common}
          value={text}
          onChange={(event) => onChange(event.currentTarget.value)}
          maxLength={type.maxLength}
          autosize
          minRows={2}
        />
      ) : (
        <TextInput
          {...common}
          value={text}
          onChange={(event) => onChange(event.currentTarget.value)}
          maxLength={type.maxLength}
        />
      );
    case 'decimal':
      return (
        <TextInput
          {...common}
          value={text}
          onChange={(event) => onChange(event.currentTarget.value)}
          inputMode="decimal"
          styles={{ input: { textAlign: 'right' } }}
        />
      );
    case 'integer':
      return (
        <TextInput
          {...common}
          value={text}
          onChange={(event) => onChange(event.currentTarget.value)}
          inputMode="numeric"
        />
      );
    case 'date':
      return (
        <TextInput
          {...common}
          type="date"
          value={text}
          onChange={(event) => onChange(event.currentTarget.value)}
        />
      );
    case 'datetime':
      return (
        <TextInput
          {...common}
          type="datetime-local"
          step={1}
          value={text}
          onChange={(event) => onChange(event.currentTarget.value)}
        />
      );
  }
}
