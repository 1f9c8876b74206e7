import { Migration } from '@mikro-orm/migrations';

/**
 * Registry searches on millions of persons: indexes for the query language's attributes that pages
 * and counts can be read from alone (index-only scans, see registry/search.ts pageWithCount).
 * `sex` with `birth_date` serves sex with birth_date, age or YOB (filters rewritten as birth_date
 * ranges by registry/filter-sql.ts), sorted by birth_date; `sex` with `id` serves a sex in the
 * default order, however deep the page; a group's `location` with `poverty_score` the targeting
 * question "poor households of a region". Each ends with the primary key, the last sort key of
 * every search, so that ties page in index order too.
 */
export class Migration20261127020000_registry_search_indexes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "person_sex_birth_date_id_idx" on "person" ("sex", "birth_date", "id");`);
    this.addSql(`create index "person_sex_id_idx" on "person" ("sex", "id");`);
    this.addSql(`create index "registry_group_location_poverty_score_id_idx" on "registry_group" ("location", "poverty_score", "id");`);
  }
}
