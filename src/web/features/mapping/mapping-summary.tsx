import { Table, UnstyledButton } from '@mantine/core';
import type { MappingTypeSummary } from '../../api/mapping';
import { useTypeLabel } from '../../components/type-label';
import { useI18n } from '../../i18n';

const COLUMNS = ['total', 'byPublicId', 'byRef', 'bySearch', 'ambiguous', 'unmatched', 'decided'] as const;

/** Per type: how many received objects matched, and how. */
export function MappingSummary({
  types,
  selected,
  onSelect,
}: {
  types: MappingTypeSummary[];
  selected: string | null;
  onSelect: (type: string | null) => void;
}) {
  const { t } = useI18n();
  const typeLabel = useTypeLabel();
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table
        withTableBorder
        striped
        highlightOnHover
        aria-label={t('mapping.title')}
        data-testid="mapping-summary"
      >
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('mapping.type')}</Table.Th>
            {COLUMNS.map((column) => (
              <Table.Th key={column} ta="right">
                {t(`mapping.${column}`)}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {types.map((summary) => (
            <Table.Tr
              key={summary.type}
              data-type={summary.type}
              bg={selected === summary.type ? 'var(--mantine-color-blue-light)' : undefined}
            >
              <Table.Td>
                <UnstyledButton
                  onClick={() => onSelect(selected === summary.type ? null : summary.type)}
                  fw={selected === summary.type ? 700 : 500}
                  aria-pressed={selected === summary.type}
                >
                  {typeLabel(summary.type)}
                </UnstyledButton>
              </Table.Td>
              {COLUMNS.map((column) => (
                <Table.Td
                  key={column}
                  ta="right"
                  data-column={column}
                  c={
                    (column === 'ambiguous' || column === 'unmatched') && summary[column] > 0
                      ? 'orange'
                      : undefined
                  }
                >
                  {summary[column]}
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
