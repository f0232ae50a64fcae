const LONDON = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  weekday: 'short',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

function londonParts(iso: string): { weekday: string; minutes: number } {
  const parts = Object.fromEntries(LONDON.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return { weekday: parts.weekday!, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

/**
 * Classifies a slot by its UK local start and end (correct across BST changes): day (WEEKDAY,
 * SATURDAY, SUNDAY) and part (EARLY before 08:00, EVENING from 17:00, AM ending by 13:00, PM
 * starting from 12:00, otherwise the whole day). Weekday AM/PM/whole-day slots are `standard`.
 */
export type Classification = `${'WEEKDAY' | 'SATURDAY' | 'SUNDAY'}${'' | '_AM' | '_PM' | '_EARLY' | '_EVENING'}`;

export function classifySlot(startIso: string, endIso: string): { classification: Classification; standard: boolean } {
  const s = londonParts(startIso);
  const e = londonParts(endIso);
  const day = s.weekday === 'Sat' ? 'SATURDAY' : s.weekday === 'Sun' ? 'SUNDAY' : 'WEEKDAY';
  let part = '';
  if (s.minutes < 8 * 60) part = '_EARLY';
  else if (s.minutes >= 17 * 60) part = '_EVENING';
  else if (e.minutes <= 13 * 60 && e.minutes > s.minutes) part = '_AM';
  else if (s.minutes >= 12 * 60) part = '_PM';
  const classification = `${day}${part}` as Classification;
  return { classification, standard: day === 'WEEKDAY' && part !== '_EARLY' && part !== '_EVENING' };
}

const LONDON_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' });

/** Whether a slot starts and ends on the same UK day (an end at midnight closes the day it started). */
export function withinOneDay(startIso: string, endIso: string): boolean {
  const end = new Date(new Date(endIso).getTime() - 1);
  return LONDON_DATE.format(new Date(startIso)) === LONDON_DATE.format(end);
}
