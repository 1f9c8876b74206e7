import { ActionIcon, Alert, Code, CopyButton, Group, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';

/** A secret the server shows only once: displayed with a copy button and a warning. */
export function ShownOnce({ label, secret }: { label: string; secret: string }) {
  return (
    <Alert color="orange" title={`${label}: copy it now`} role="status" styles={{ title: { color: 'var(--mantine-color-dark-7)' } }}>
      <Group gap="xs" wrap="nowrap">
        <Code fz="sm" style={{ wordBreak: 'break-all' }}>
          {secret}
        </Code>
        <CopyButton value={secret}>
          {({ copied, copy }) => (
            <Tooltip label={copied ? 'Copied' : 'Copy'} withArrow>
              <ActionIcon variant="light" color={copied ? 'teal' : 'gray'} onClick={copy} aria-label={`Copy ${label.toLowerCase()}`}>
                {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
              </ActionIcon>
            </Tooltip>
          )}
        </CopyButton>
      </Group>
      It is not stored in readable form and will not be shown again.
    </Alert>
  );
}
