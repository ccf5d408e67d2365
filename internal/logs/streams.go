package logs

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/gureum/gureum/internal/store"
)

// CreateLogStream creates a stream in a group.
func (s *Service) CreateLogStream(ctx context.Context, in *CreateLogStreamInput) (*Empty, error) {
	if err := checkStreamName(in.LogStreamName); err != nil {
		return nil, err
	}
	g, err := s.group(ctx, in.LogGroupName)
	if err != nil {
		return nil, err
	}
	err = s.store.CreateLogStream(ctx, g.ID, store.LogStream{Name: in.LogStreamName, Created: s.clock.Now()})
	if errors.Is(err, store.ErrExists) {
		return nil, ErrResourceAlreadyExists.Errorf(msgStreamExists)
	}
	return &Empty{}, err
}

// DeleteLogStream deletes a stream and (in the background) its events.
func (s *Service) DeleteLogStream(ctx context.Context, in *DeleteLogStreamInput) (*Empty, error) {
	if err := checkStreamName(in.LogStreamName); err != nil {
		return nil, err
	}
	g, err := s.group(ctx, in.LogGroupName)
	if err != nil {
		return nil, err
	}
	err = s.store.DeleteLogStream(ctx, g.ID, in.LogStreamName)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrResourceNotFound.Errorf(msgStreamNotFound)
	}
	return &Empty{}, err
}

// DescribeLogStreams lists a group's streams by name (with a prefix) or by last event time.
func (s *Service) DescribeLogStreams(ctx context.Context, in *DescribeLogStreamsInput) (*DescribeLogStreamsOutput, error) {
	q := store.LogStreamQuery{Prefix: in.LogStreamNamePrefix, Descending: in.Descending}
	switch in.OrderBy {
	case "", "LogStreamName":
	case "LastEventTime":
		if q.Prefix != "" {
			return nil, ErrInvalidParameter.Errorf("Cannot order by LastEventTime with a logStreamNamePrefix.")
		}
		q.ByLastEvent = true
	default:
		return nil, constraint(in.OrderBy, "orderBy", "Member must satisfy enum value set: [LogStreamName, LastEventTime]")
	}
	n, err := limit(in.Limit, 50)
	if err != nil {
		return nil, err
	}
	if err := streamCursor(&q, in.NextToken); err != nil {
		return nil, err
	}
	name, err := s.groupNamed(ctx, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	g, err := s.group(ctx, name)
	if err != nil {
		return nil, err
	}
	q.GroupID, q.Limit = g.ID, n+1
	list, err := s.store.ListLogStreams(ctx, q)
	if err != nil {
		return nil, err
	}
	out := &DescribeLogStreamsOutput{LogStreams: []LogStream{}}
	if len(list) > n {
		list = list[:n]
		last := list[n-1]
		out.NextToken = encodeToken(last.Name)
		if q.ByLastEvent {
			out.NextToken = encodeToken(strconv.FormatInt(last.LastEvent, 10) + "/" + last.Name)
		}
	}
	for _, x := range list {
		out.LogStreams = append(out.LogStreams, LogStream{LogStreamName: x.Name, CreationTime: x.Created.UnixMilli(),
			FirstEventTimestamp: x.FirstEvent, LastEventTimestamp: x.LastEvent, LastIngestionTime: x.LastIngestion,
			Arn: s.streamARN(g.Account, g.Name, x.Name)})
	}
	return out, nil
}

// streamCursor reads a DescribeLogStreams nextToken into q.
func streamCursor(q *store.LogStreamQuery, token string) error {
	if token == "" {
		return nil
	}
	pos, err := decodeToken(token)
	if err != nil || pos == "" {
		return ErrInvalidParameter.Errorf(msgBadToken)
	}
	q.Started, q.AfterName = true, pos
	if q.ByLastEvent {
		t, name, ok := strings.Cut(pos, "/")
		n, err := strconv.ParseInt(t, 10, 64)
		if !ok || err != nil {
			return ErrInvalidParameter.Errorf(msgBadToken)
		}
		q.AfterTime, q.AfterName = n, name
	}
	return nil
}
