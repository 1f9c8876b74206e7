/** Badge colours dark enough for WCAG AA text on white and on the preview's tinted rows (Mantine's mid shades are not). */
export const TONES = {
  good: '#1e6b30',
  neutral: '#495057',
  changed: '#9c4a00',
  hidden: '#a61e1e',
  added: '#1864ab',
} as const;
