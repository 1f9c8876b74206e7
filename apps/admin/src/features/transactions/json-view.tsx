import { ActionIcon, Box, Card, Code, CopyButton, Group, Text, Title, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import type { ReactNode } from 'react';

/** A JSON document pretty-printed, each object and array collapsible (native details: keyboard ready; the deepest start folded), with a copy button. */
export function JsonView({ title, value }: { title: string; value: unknown }) {
  return (
    <Card withBorder>
      <Group justify="space-between" mb="xs">
        <Title order={4}>{title}</Title>
        <CopyValue value={JSON.stringify(value, null, 2)} label={`Copy ${title.toLowerCase()} JSON`} />
      </Group>
      {value === null || value === undefined ? (
        <Text c="dimmed" size="sm">
          Not recorded.
        </Text>
      ) : (
        <Code block style={{ maxHeight: 560, overflow: 'auto', whiteSpace: 'pre-wrap' }}>
          <JsonNode value={value} depth={0} />
        </Code>
      )}
    </Card>
  );
}

export function CopyValue({ value, label }: { value: string; label: string }) {
  return (
    <CopyButton value={value} timeout={1500}>
      {({ copied, copy }) => (
        <Tooltip label={copied ? 'Copied' : label} withArrow>
          <ActionIcon variant="subtle" color={copied ? 'teal' : 'gray'} onClick={copy} aria-label={label}>
            {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
          </ActionIcon>
        </Tooltip>
      )}
    </CopyButton>
  );
}

const INDENT = 16;

function JsonNode({ value, depth, name, last = true }: { value: unknown; depth: number; name?: string; last?: boolean }): ReactNode {
  const key = name === undefined ? null : <span style={{ color: '#1c4f8c' }}>{JSON.stringify(name)}: </span>;
  const comma = last ? '' : ',';
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
    if (entries.length === 0) {
      return (
        <div>
          {key}
          {open}
          {close}
          {comma}
        </div>
      );
    }
    return (
      <details open={depth < 6}>
        <summary style={{ cursor: 'pointer' }}>
          {key}
          {open}
          <Text span c="dimmed" size="xs">
            {' '}
            {entries.length} {Array.isArray(value) ? 'item' : 'field'}
            {entries.length === 1 ? '' : 's'}
          </Text>
        </summary>
        <Box pl={INDENT}>
          {entries.map(([k, v], i) => (
            <JsonNode key={k} value={v} depth={depth + 1} name={Array.isArray(value) ? undefined : k} last={i === entries.length - 1} />
          ))}
        </Box>
        <div>
          {close}
          {comma}
        </div>
      </details>
    );
  }
  // Dark enough for WCAG AA on the code block's grey.
  const color = typeof value === 'string' ? '#1e6b34' : '#7b2590';
  return (
    <div style={{ wordBreak: 'break-all' }}>
      {key}
      <span style={{ color }}>{JSON.stringify(value)}</span>
      {comma}
    </div>
  );
}
