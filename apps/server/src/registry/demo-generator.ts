/** Deterministic demo households: the same household index always yields the same people. */

const GIVEN_FEMALE = ['Amina', 'Grace', 'Fatima', 'Maria', 'Aisha', 'Sofia', 'Nadia', 'Esther', 'Leila', 'Joy', 'Rosa', 'Hana', 'Mariam', 'Ana', 'Zainab', 'Lucy', 'Chloe', 'Ines', 'Priya', 'Mei'];
const GIVEN_MALE = ['John', 'Ahmed', 'Jose', 'Samuel', 'David', 'Omar', 'Peter', 'Ali', 'Juan', 'Daniel', 'Ibrahim', 'Carlos', 'Musa', 'Ravi', 'Luis', 'Joseph', 'Yusuf', 'Mateo', 'Kofi', 'Wei'];
const SURNAMES = ['Okafor', 'Santos', 'Haddad', 'Mensah', 'Garcia', 'Nguyen', 'Kamau', 'Silva', 'Rahman', 'Diallo', 'Fernandez', 'Banda', 'Hassan', 'Reyes', 'Mwangi', 'Cruz', 'Osei', 'Lopez', 'Khan', 'Ndlovu'];
export const DEMO_LOCATIONS = ['central_region', 'northern_region', 'southern_region', 'eastern_region', 'western_region', 'coastal_region'];
const CITIES: Record<string, string[]> = {
  central_region: ['Capital City', 'Riverside'],
  northern_region: ['Highland', 'North Gate'],
  southern_region: ['Southport', 'Valley Town'],
  eastern_region: ['Sunrise', 'East Market'],
  western_region: ['Lakeside', 'West End'],
  coastal_region: ['Harbor', 'Bayview'],
};
const STREETS = ['Main St', 'Market Rd', 'Church Ln', 'School Rd', 'Station Ave', 'Hill St', 'Mango Ave', 'Baobab Rd'];

export interface DemoPerson {
  id: string;
  uin: string;
  nationalId?: string;
  givenName: string;
  surname: string;
  sex: 'female' | 'male';
  birthDate: string;
  deathDate?: string;
  maritalStatus: string;
  isDisabled: boolean;
  phone?: string;
  relationship: string;
}

export interface DemoHousehold {
  id: string;
  identifier: string;
  groupType: string;
  location: string;
  city: string;
  streetAddress: string;
  postalCode: string;
  povertyScore: number;
  latitude: number;
  longitude: number;
  registrationDate: string;
  members: DemoPerson[];
}

/** mulberry32: a tiny, fast, seeded generator; good enough for demo data and benchmark picks. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
const int = (r: () => number, min: number, max: number) => min + Math.floor(r() * (max - min + 1));
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** A UUID that encodes its origin, so demo ids are stable and never collide with random v4 ids. */
function demoUuid(kind: 1 | 2, household: number, member: number): string {
  return `d3e00000-000${kind}-4000-8000-${pad(household, 10)}${pad(member, 2)}`;
}

function dateYearsAgo(r: () => number, now: Date, minYears: number, maxYears: number): string {
  const days = int(r, Math.round(minYears * 365.25), Math.round(maxYears * 365.25));
  return new Date(now.getTime() - days * 86_400_000).toISOString().slice(0, 10);
}

/** Household `index` (0-based) of the demo registry, as of the fixed reference date. */
export function demoHousehold(index: number): DemoHousehold {
  const r = seededRandom(index * 7919 + 17);
  const now = new Date(Date.UTC(2026, 0, 1));
  const location = pick(r, DEMO_LOCATIONS);
  const surname = pick(r, SURNAMES);
  const size = pick(r, [1, 2, 2, 3, 3, 4, 4, 4, 5, 5, 6, 7]);
  const members: DemoPerson[] = [];
  const headSex = r() < 0.45 ? 'female' : 'male';
  const person = (position: number, sex: 'female' | 'male', birthDate: string, relationship: string, married: boolean): DemoPerson => {
    const adult = birthDate <= dateYearsAgo(() => 0, now, 18, 18);
    const p: DemoPerson = {
      id: demoUuid(1, index, position),
      uin: `${pad(index, 8)}${pad(position, 2)}`,
      givenName: pick(r, sex === 'female' ? GIVEN_FEMALE : GIVEN_MALE),
      surname,
      sex,
      birthDate,
      maritalStatus: married ? 'married' : adult ? pick(r, ['single', 'single', 'widowed', 'divorced']) : 'single',
      isDisabled: r() < 0.04,
      relationship,
    };
    if (adult) p.nationalId = `NID${pad(index, 8)}${position}`;
    if (adult && r() < 0.7) p.phone = `+2557${pad(int(r, 0, 99_999_999), 8)}`;
    if (r() < 0.01) p.deathDate = dateYearsAgo(r, now, 0, 3);
    return p;
  };
  const married = size > 1 && r() < 0.75;
  members.push(person(0, headSex, dateYearsAgo(r, now, 22, 75), 'head', married));
  if (married) members.push(person(1, headSex === 'female' ? 'male' : 'female', dateYearsAgo(r, now, 20, 70), 'spouse', true));
  while (members.length < size) {
    const position = members.length;
    const elder = position === size - 1 && size >= 5 && r() < 0.3;
    members.push(elder ? person(position, r() < 0.6 ? 'female' : 'male', dateYearsAgo(r, now, 60, 90), 'parent', false) : person(position, r() < 0.5 ? 'female' : 'male', dateYearsAgo(r, now, 0, 17), 'child', false));
  }
  const city = pick(r, CITIES[location]!);
  return {
    id: demoUuid(2, index, 0),
    identifier: `HH-${pad(index + 1, 8)}`,
    groupType: size === 1 ? 'individual' : 'household',
    location,
    city,
    streetAddress: `${int(r, 1, 400)} ${pick(r, STREETS)}`,
    postalCode: pad(10_000 + DEMO_LOCATIONS.indexOf(location) * 1000 + int(r, 0, 999), 5),
    povertyScore: Math.round(r() * 1000) / 10,
    latitude: Math.round((-6 + r() * 4) * 1e6) / 1e6,
    longitude: Math.round((35 + r() * 4) * 1e6) / 1e6,
    registrationDate: dateYearsAgo(r, now, 0, 6),
    members,
  };
}
