package dynamodb

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// Point-in-time recovery keeps, for a table whose continuous backups are on, every version of
// its items (store.TableVersions): each write records the item's new state in its own
// transaction, and turning recovery on records every item as it then is. A restore reads the
// items as they were at a time into a new table; a periodic job forgets the versions the
// recovery window no longer needs.

// pitrDoc is a table's point-in-time recovery setting.
type pitrDoc struct {
	Since float64 `json:"since"` // epoch seconds when it was turned on: the earliest restorable time
	Days  int     `json:"days"`  // RecoveryPeriodInDays
}

// versionSweep is how often the versions outside every table's window are forgotten.
const versionSweep = time.Hour

// versionAt is when a write of the table records a version (zero: it keeps none).
func (t *table) versionAt() time.Time {
	if t.doc.PITR == nil {
		return time.Time{}
	}
	return t.loaded
}

// remove is the store write that deletes the item at k.
func (t *table) remove(k store.ItemKey) store.ItemWrite {
	return store.ItemWrite{Key: k, VersionAt: t.versionAt()}
}

// window is the range of restorable times at now.
func (p *pitrDoc) window(now time.Time) (earliest, latest time.Time) {
	earliest = time.UnixMilli(int64(math.Round(p.Since * 1000)))
	if from := now.Add(-time.Duration(p.Days) * 24 * time.Hour); from.After(earliest) {
		earliest = from
	}
	return earliest, now
}

// PointInTimeRecoverySpecification turns recovery on or off.
type PointInTimeRecoverySpecification struct {
	PointInTimeRecoveryEnabled *bool `json:"PointInTimeRecoveryEnabled"`
	RecoveryPeriodInDays       *int  `json:"RecoveryPeriodInDays"`
}

// UpdateContinuousBackupsInput is UpdateContinuousBackups' input.
type UpdateContinuousBackupsInput struct {
	TableName                        string                            `json:"TableName"`
	PointInTimeRecoverySpecification *PointInTimeRecoverySpecification `json:"PointInTimeRecoverySpecification"`
}

func (in *UpdateContinuousBackupsInput) tableName() string { return in.TableName }

// PointInTimeRecoveryDescription describes recovery.
type PointInTimeRecoveryDescription struct {
	PointInTimeRecoveryStatus  string   `json:"PointInTimeRecoveryStatus"`
	RecoveryPeriodInDays       int      `json:"RecoveryPeriodInDays,omitempty"`
	EarliestRestorableDateTime *float64 `json:"EarliestRestorableDateTime,omitempty"`
	LatestRestorableDateTime   *float64 `json:"LatestRestorableDateTime,omitempty"`
}

// ContinuousBackupsDescription describes a table's continuous backups.
type ContinuousBackupsDescription struct {
	ContinuousBackupsStatus        string                         `json:"ContinuousBackupsStatus"`
	PointInTimeRecoveryDescription PointInTimeRecoveryDescription `json:"PointInTimeRecoveryDescription"`
}

// ContinuousBackupsOutput is the output of UpdateContinuousBackups and DescribeContinuousBackups.
type ContinuousBackupsOutput struct {
	ContinuousBackupsDescription ContinuousBackupsDescription `json:"ContinuousBackupsDescription"`
}

func (s *Service) continuousBackups(t *table) *ContinuousBackupsOutput {
	d := ContinuousBackupsDescription{ContinuousBackupsStatus: "ENABLED"}
	d.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus = "DISABLED"
	if p := t.doc.PITR; p != nil {
		earliest, latest := p.window(s.now())
		e, l := epochSeconds(earliest), epochSeconds(latest)
		d.PointInTimeRecoveryDescription = PointInTimeRecoveryDescription{PointInTimeRecoveryStatus: "ENABLED",
			RecoveryPeriodInDays: p.Days, EarliestRestorableDateTime: &e, LatestRestorableDateTime: &l}
	}
	return &ContinuousBackupsOutput{ContinuousBackupsDescription: d}
}

// loadForBackups reads a table for the continuous-backup operations, whose missing table is
// TableNotFoundException.
func (s *Service) loadForBackups(ctx context.Context, name string) (*table, error) {
	t, err := s.load(ctx, name)
	if err != nil && isCode(err, ErrResourceNotFound) {
		_, n := tableRef(ctx, name)
		return nil, ErrTableNotFound.Errorf("Table not found: %s", n)
	}
	return t, err
}

// DescribeContinuousBackups describes a table's point-in-time recovery.
func (s *Service) DescribeContinuousBackups(ctx context.Context, in *TableNameInput) (*ContinuousBackupsOutput, error) {
	t, err := s.loadForBackups(ctx, in.TableName)
	if err != nil {
		return nil, err
	}
	return s.continuousBackups(t), nil
}

// UpdateContinuousBackups turns point-in-time recovery on (recording every item as it is) or
// off (forgetting every version), or changes its window.
func (s *Service) UpdateContinuousBackups(ctx context.Context, in *UpdateContinuousBackupsInput) (*ContinuousBackupsOutput, error) {
	spec := in.PointInTimeRecoverySpecification
	if spec == nil || spec.PointInTimeRecoveryEnabled == nil {
		return nil, validation("1 validation error detected: Value null at 'pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled' failed to satisfy constraint: Member must not be null")
	}
	days := 35
	if spec.RecoveryPeriodInDays != nil {
		if days = *spec.RecoveryPeriodInDays; days < 1 || days > 35 {
			return nil, validation("1 validation error detected: Value '%d' at 'pointInTimeRecoverySpecification.recoveryPeriodInDays' failed to satisfy constraint: Member must have value less than or equal to 35, Member must have value greater than or equal to 1", days)
		}
	}
	t, err := s.loadForBackups(ctx, in.TableName)
	if err != nil {
		return nil, err
	}
	doc := t.doc
	switch on := *spec.PointInTimeRecoveryEnabled; {
	case on && doc.PITR != nil:
		doc.PITR = &pitrDoc{Since: doc.PITR.Since, Days: days}
	case on:
		now := s.now()
		doc.PITR = &pitrDoc{Since: epochSeconds(now), Days: days}
		if t, err = s.saveDoc(ctx, t, doc); err != nil {
			return nil, err
		}
		// Writes made from here on record their versions; the snapshot, after them, holds
		// what they wrote too.
		if err := s.store.SnapshotVersions(ctx, t.ID, time.UnixMilli(now.UnixMilli())); err != nil {
			return nil, err
		}
		return s.continuousBackups(t), nil
	default:
		doc.PITR = nil
	}
	if t, err = s.saveDoc(ctx, t, doc); err != nil {
		return nil, err
	}
	if doc.PITR == nil {
		if err := s.store.DropVersions(ctx, t.ID); err != nil {
			return nil, err
		}
	}
	return s.continuousBackups(t), nil
}

// RestoreTableToPointInTimeInput is RestoreTableToPointInTime's input.
type RestoreTableToPointInTimeInput struct {
	SourceTableArn          string   `json:"SourceTableArn"`
	SourceTableName         string   `json:"SourceTableName"`
	TargetTableName         string   `json:"TargetTableName"`
	UseLatestRestorableTime *bool    `json:"UseLatestRestorableTime"`
	RestoreDateTime         *float64 `json:"RestoreDateTime"`
	BillingModeOverride     string   `json:"BillingModeOverride"`
}

func (in *RestoreTableToPointInTimeInput) source() string {
	if in.SourceTableArn != "" {
		return in.SourceTableArn
	}
	return in.SourceTableName
}

// RestoreTableToPointInTime makes a new table holding the source's items as they were at a
// time, with its keys and indexes (not its stream, TTL, tags or recovery, as AWS).
func (s *Service) RestoreTableToPointInTime(ctx context.Context, in *RestoreTableToPointInTimeInput) (*TableOutput, error) {
	if err := checkName("targetTableName", in.TargetTableName); err != nil {
		return nil, err
	}
	latest := in.UseLatestRestorableTime != nil && *in.UseLatestRestorableTime
	if latest && in.RestoreDateTime != nil {
		return nil, validation("Only one of RestoreDateTime or UseLatestRestorableTime can be specified")
	}
	src, err := s.loadForBackups(ctx, in.source())
	if err != nil {
		return nil, err
	}
	if src.doc.PITR == nil {
		return nil, ErrPITRUnavailable.Errorf("Point in time recovery is not enabled for table '%s'", src.Name)
	}
	earliest, last := src.doc.PITR.window(s.now())
	at := last
	if !latest {
		if in.RestoreDateTime == nil {
			return nil, validation("Either RestoreDateTime or UseLatestRestorableTime must be specified")
		}
		at = time.UnixMilli(int64(math.Round(*in.RestoreDateTime * 1000)))
		if at.Before(earliest) || at.After(last) {
			return nil, ErrInvalidRestoreTime.Errorf("RestoreDateTime must be between %s and %s",
				earliest.UTC().Format(time.RFC3339), last.UTC().Format(time.RFC3339))
		}
	}
	t, err := s.newRestoredTable(ctx, src, in.TargetTableName, in.BillingModeOverride)
	if err != nil {
		return nil, err
	}
	page := func(afterPK, afterSK []byte) ([]store.TableItem, error) {
		return s.store.ItemsAt(ctx, src.ID, at, afterPK, afterSK, copyPage)
	}
	if _, _, err := s.copyPages(ctx, page, t, true); err != nil {
		return nil, err
	}
	return &TableOutput{TableDescription: t.describe("CREATING")}, nil
}

// newRestoredTable creates the target of a restore with the source's keys and indexes.
func (s *Service) newRestoredTable(ctx context.Context, src *table, name, billing string) (*table, error) {
	doc := src.doc
	doc.Backup, doc.Stream, doc.StreamLabel, doc.TTLEnabled, doc.TTLAttribute, doc.Tags, doc.PITR = nil, nil, "", false, "", nil, nil
	doc.Created = epochSeconds(s.now())
	if billing != "" {
		doc.BillingMode = billing
	}
	raw, _ := json.Marshal(doc)
	rec := &store.Table{Account: callerAccount(ctx), Name: name, Doc: raw, Created: s.now()}
	err := s.store.CreateTable(ctx, rec)
	if errors.Is(err, store.ErrExists) {
		return nil, ErrTableAlreadyExists.Errorf("Table already exists: %s", name)
	}
	if err != nil {
		return nil, err
	}
	return s.loadDoc(*rec)
}

// CompactVersions forgets, for every table with versions, those its recovery window no longer
// needs, and every version of a table that no longer keeps them.
func (s *Service) CompactVersions(ctx context.Context) error {
	ids, err := s.store.VersionedTables(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		rec, err := s.store.TableByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			err = s.store.DropVersions(ctx, id)
		} else if err == nil {
			var t *table
			if t, err = s.loadDoc(rec); err == nil && t.doc.PITR == nil {
				err = s.store.DropVersions(ctx, id)
			} else if err == nil {
				earliest, _ := t.doc.PITR.window(s.now())
				err = s.store.CompactVersions(ctx, id, earliest)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (in *RestoreTableToPointInTimeInput) tableName() string { return in.TargetTableName }
