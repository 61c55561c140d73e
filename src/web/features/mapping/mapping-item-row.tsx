import { Badge, Button, Group, Select, Table, Text } from '@mantine/core';
import { useState } from 'react';
import type { DecisionInput, MappingItem } from '../../api/mapping';
import { useTypeLabel } from '../../components/type-label';
import { useI18n } from '../../i18n';
import { RefText } from '../objects/use-ref-label';

const STATUS_COLORS: Record<string, string> = {
  matched: 'green',
  ambiguous: 'orange',
  unmatched: 'gray',
  'linked-by-hand': 'blue',
  'new-by-hand': 'violet',
  unreadable: 'red',
};

type KnownStatus = 'matched' | 'ambiguous' | 'unmatched' | 'linked-by-hand' | 'new-by-hand' | 'unreadable';

function HowMatched({ how, fields }: { how: string; fields: string[] }) {
  const { t } = useI18n();
  if (how === 'publicId' || how === 'public-id') return <>{t('mapping.how.publicId')}</>;
  if (how === 'ref') return <>{t('mapping.how.ref')}</>;
  if (how === 'decision') return <>{t('mapping.how.decision')}</>;
  return <>{t('mapping.how.search', { fields: fields.join(' + ') || how })}</>;
}

/** One received object: what it matched here, its candidates, and the decision buttons. */
export function MappingItemRow({
  item,
  onDecide,
  busy,
}: {
  item: MappingItem;
  onDecide: (decision: DecisionInput) => void;
  busy: boolean;
}) {
  const { t } = useI18n();
  const typeLabel = useTypeLabel();
  const [candidate, setCandidate] = useState<string | null>(item.candidates[0]?.localRef ?? null);
  const known = Object.keys(STATUS_COLORS).includes(item.status);
  const decided = item.decision !== null;
  const base = { type: item.type, peerRef: item.peerRef };
  return (
    <Table.Tr data-peer-ref={item.peerRef} data-status={item.status}>
      <Table.Td>
        <Text size="sm" fw={500}>
          {item.presentation}
        </Text>
        <Text size="xs" c="dimmed">
          {typeLabel(item.type, false)}
        </Text>
      </Table.Td>
      <Table.Td miw={150}>
        <Badge
          color={STATUS_COLORS[item.status] ?? 'gray'}
          variant="light"
          style={{ overflow: 'visible' }}
          maw="none"
        >
          {known ? t(`mapping.itemStatus.${item.status as KnownStatus}`) : item.status}
        </Badge>
      </Table.Td>
      <Table.Td>
        {item.match ? (
          <Text size="sm">
            <RefText type={item.type} value={item.match.localRef} />{' '}
            <Text span size="xs" c="dimmed">
              (<HowMatched how={item.match.how} fields={item.match.fields} />)
            </Text>
          </Text>
        ) : item.decision?.action === 'create-new' ? (
          <Text size="sm" c="violet">
            {t('mapping.willCreate')}
          </Text>
        ) : (
          <Text size="sm" c="dimmed">
            {t('common.none')}
          </Text>
        )}
      </Table.Td>
      <Table.Td miw={240}>
        {item.candidates.length > 0 && !decided ? (
          <Select
            aria-label={t('mapping.candidate', { name: item.presentation })}
            data={item.candidates.map((option) => ({
              value: option.localRef,
              label: `${option.presentation} · ${t('mapping.score', { score: option.score.toFixed(2) })} · ${option.reason}`,
            }))}
            value={candidate}
            onChange={setCandidate}
            allowDeselect={false}
            size="xs"
          />
        ) : (
          <Text size="xs" c="dimmed">
            {item.candidates.length === 0 ? t('common.none') : ''}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Group gap={4} wrap="nowrap">
          {!decided && candidate && (
            <Button
              size="compact-xs"
              onClick={() => onDecide({ ...base, action: 'link', localRef: candidate })}
              disabled={busy}
            >
              {t('mapping.link')}
            </Button>
          )}
          {!decided && item.status !== 'matched' && (
            <Button
              size="compact-xs"
              variant="light"
              onClick={() => onDecide({ ...base, action: 'create-new' })}
              disabled={busy}
            >
              {t('mapping.createNew')}
            </Button>
          )}
          {(decided || item.status === 'matched') && (
            <Button
              size="compact-xs"
              variant="subtle"
              color="red"
              onClick={() => onDecide({ ...base, action: 'unlink' })}
              disabled={busy}
            >
              {t('mapping.unlink')}
            </Button>
          )}
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}
