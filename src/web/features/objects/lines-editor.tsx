import { ActionIcon, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { keys, useApi, useInfobaseName } from '../../api/queries';
import type { FieldDef, TabularSectionDef } from '../../api/types';
import { useI18n } from '../../i18n';
import { formatDecimal } from '../../lib/decimal';
import { lineFigures } from '../../lib/document-math';
import { FieldInput } from './field-input';
import { emptyLine, type FormLine, type FormScalar } from './form-model';

type Props = {
  section: TabularSectionDef;
  lines: FormLine[];
  onChange: (lines: FormLine[]) => void;
  computed: ReadonlySet<string>;
  pricesIncludeVat: boolean;
  errors: Record<string, string>;
  readOnly: boolean;
};

/** Room for what a column holds: a product's long name, a short unit, a number. */
function columnWidth(field: FieldDef): number {
  if (field.type.kind === 'ref') return field.name === 'product' ? 280 : 130;
  if (field.type.kind === 'enum') return 130;
  return 110;
}

const text = (value: FormScalar | undefined) => (typeof value === 'string' ? value : null);

/** The lines of a document, each amount and VAT computed as the quantity and price are typed. */
export function LinesEditor({
  section,
  lines,
  onChange,
  computed,
  pricesIncludeVat,
  errors,
  readOnly,
}: Props) {
  const { t, label, language } = useI18n();
  const ib = useInfobaseName();
  const api = useApi();
  const queryClient = useQueryClient();
  const setValue = (index: number, name: string, value: FormScalar) =>
    onChange(
      lines.map((line, at) => (at === index ? { ...line, values: { ...line.values, [name]: value } } : line)),
    );

  /** Choosing a product brings its unit and VAT rate along, as in the applications. */
  const chooseProduct = async (index: number, ref: string | null) => {
    setValue(index, 'product', ref);
    if (!ref) return;
    const product = await queryClient.fetchQuery({
      queryKey: keys.object(ib, 'product', ref),
      queryFn: () => api.get('product', ref),
      staleTime: 60_000,
    });
    onChange(
      lines.map((line, at) => {
        if (at !== index) return line;
        const values: Record<string, FormScalar> = { ...line.values, product: ref };
        if (typeof product.unit === 'string' && section.fields.some((field) => field.name === 'unit'))
          values.unit = product.unit;
        if (typeof product.vatRate === 'string') values.vatRate = product.vatRate;
        return { ...line, values };
      }),
    );
  };

  return (
    <Stack gap="xs">
      <Title order={3} size="h4">
        {label(section.label)}
      </Title>
      <Table.ScrollContainer minWidth={1100}>
        <Table
          withTableBorder
          verticalSpacing={4}
          aria-label={label(section.label)}
          data-section={section.name}
        >
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={40}>{t('objects.lineNo')}</Table.Th>
              {section.fields.map((field) => (
                <Table.Th key={field.name} ta={computed.has(field.name) ? 'right' : undefined}>
                  {label(field.label)}
                </Table.Th>
              ))}
              <Table.Th w={40} />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {lines.map((line, index) => {
              const figures = lineFigures(
                {
                  quantity: text(line.values.quantity),
                  price: text(line.values.price),
                  amount: text(line.values.amount),
                  vatRate: text(line.values.vatRate),
                },
                pricesIncludeVat,
              );
              return (
                <Table.Tr key={line.key} data-line={index + 1}>
                  <Table.Td>{index + 1}</Table.Td>
                  {section.fields.map((field) => {
                    const ariaLabel = t('objects.lineField', { field: label(field.label), n: index + 1 });
                    if (computed.has(field.name) && (field.name !== 'amount' || line.values.price)) {
                      const value = figures?.[field.name as 'amount' | 'vatAmount'];
                      return (
                        <Table.Td key={field.name} ta="right" data-column={field.name} aria-label={ariaLabel}>
                          {value === undefined ? '—' : formatDecimal(value, language)}
                        </Table.Td>
                      );
                    }
                    return (
                      <Table.Td key={field.name} miw={columnWidth(field)}>
                        <FieldInput
                          field={field}
                          ariaLabel={ariaLabel}
                          value={line.values[field.name] ?? null}
                          onChange={(value) =>
                            field.name === 'product'
                              ? void chooseProduct(index, text(value))
                              : setValue(index, field.name, value)
                          }
                          error={errors[`${section.name}[${index}].${field.name}`]}
                          readOnly={readOnly}
                        />
                      </Table.Td>
                    );
                  })}
                  <Table.Td>
                    {!readOnly && (
                      <ActionIcon
                        variant="subtle"
                        color="red"
                        aria-label={t('objects.removeLine', { n: index + 1 })}
                        onClick={() => onChange(lines.filter((_, at) => at !== index))}
                      >
                        ✕
                      </ActionIcon>
                    )}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {lines.length === 0 && (
        <Text c="dimmed" size="sm">
          {t('objects.empty')}
        </Text>
      )}
      {!readOnly && (
        <Group>
          <Button variant="light" onClick={() => onChange([...lines, emptyLine(section.fields)])}>
            {t('objects.addLine')}
          </Button>
        </Group>
      )}
    </Stack>
  );
}
