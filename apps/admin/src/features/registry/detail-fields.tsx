import { SimpleGrid, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/** Label / value pairs of a record, empty values shown as a dash. */
export function DetailFields({ fields }: { fields: [string, ReactNode][] }) {
  return (
    <SimpleGrid cols={3} component="dl" m={0}>
      {fields.map(([label, value]) => (
        <Stack gap={0} key={label}>
          <Text component="dt" size="xs" c="dimmed">
            {label}
          </Text>
          <Text component="dd" m={0}>
            {value === null || value === undefined || value === '' ? '–' : value}
          </Text>
        </Stack>
      ))}
    </SimpleGrid>
  );
}
