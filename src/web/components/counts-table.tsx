import { Table, Text } from '@mantine/core';
import { useI18n } from '../i18n';
import { useTypeLabel } from './type-label';

/** Objects per type, one column per figure: the journal's counts and Synchronize's sent/received. */
export function CountsTable({
  rows,
  columns,
  caption,
}: {
  rows: Record<string, Record<string, number | undefined>>;
  columns: { key: string; label: string }[];
  caption?: string;
}) {
  const { t } = useI18n();
  const typeLabel = useTypeLabel();
  const types = Object.keys(rows).sort();
  if (types.length === 0) return null;
  return (
    <Table.ScrollContainer minWidth={360}>
      <Table striped withTableBorder captionSide="top" aria-label={caption}>
        {caption && (
          <caption>
            <Text fw={500} ta="left">
              {caption}
            </Text>
          </caption>
        )}
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('job.type')}</Table.Th>
            {columns.map((column) => (
              <Table.Th key={column.key} ta="right">
                {column.label}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {types.map((type) => (
            <Table.Tr key={type} data-type={type}>
              <Table.Td>{typeLabel(type)}</Table.Td>
              {columns.map((column) => (
                <Table.Td key={column.key} ta="right" data-column={column.key}>
                  {rows[type]?.[column.key] ?? 0}
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
