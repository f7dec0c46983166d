import type { Migration } from 'kysely';
import * as core from './20261127T1200_core.js';
import * as accounts from './20261127T1300_accounts.js';
import * as supply from './20261127T1400_supply.js';
import * as bidding from './20261127T1500_bidding.js';
import * as stations from './20261127T1600_stations.js';
import * as outboxNotify from './20261127T1700_outbox_notify.js';
import * as publicListingIndex from './20261127T1800_public_listing_index.js';
import * as attachments from './20261127T1900_attachments.js';
import * as mailDelivery from './20261127T2000_mail_delivery.js';
import * as notificationDigest from './20261127T2100_notification_digest.js';
import * as savedSearchAlerts from './20261127T2400_saved_search_alerts.js';
import * as importProgress from './20261127T2500_import_progress.js';
import * as bidServiceTeam from './20261127T2501_bid_service_team.js';
import * as attachmentBytesPurged from './20261127T2600_attachment_bytes_purged.js';
import * as bidsByOrganisation from './20261127T2700_bids_by_organisation.js';

/**
 * Every migration, by name, in order. Listed statically (rather than read from the folder at run
 * time) so that the same list works under tsx, vitest and the Workers bundle. A test checks that
 * every file in this folder is listed here.
 */
export const migrations: Record<string, Migration> = {
  '20261127T1200_core': core,
  '20261127T1300_accounts': accounts,
  '20261127T1400_supply': supply,
  '20261127T1500_bidding': bidding,
  '20261127T1600_stations': stations,
  '20261127T1700_outbox_notify': outboxNotify,
  '20261127T1800_public_listing_index': publicListingIndex,
  '20261127T1900_attachments': attachments,
  '20261127T2000_mail_delivery': mailDelivery,
  '20261127T2100_notification_digest': notificationDigest,
  '20261127T2400_saved_search_alerts': savedSearchAlerts,
  '20261127T2500_import_progress': importProgress,
  '20261127T2501_bid_service_team': bidServiceTeam,
  '20261127T2600_attachment_bytes_purged': attachmentBytesPurged,
  '20261127T2700_bids_by_organisation': bidsByOrganisation,
};
