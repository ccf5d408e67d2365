package s3

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/store"
)

// deleted is what a delete did: the version removed or the delete marker made.
type deleted struct {
	versionID    string // the version deleted, or the marker's version
	deleteMarker bool   // a marker was made, or the version deleted was one
}

// deleteObject deletes as S3 does: without a version id an unversioned bucket loses the object,
// a versioned one gains a delete marker (Suspended: the "null" version becomes the marker); with
// one, that version goes. A missing key or version is not an error.
func (s *Service) deleteObject(ctx context.Context, b store.Bucket, key, versionID string) (deleted, error) {
	if versionID != "" {
		if versionID != "null" && !validVersionID(versionID) {
			return deleted{}, invalidArgument("Invalid version id specified", "versionId", versionID)
		}
		ev := s.events(ctx, b, "ObjectRemoved:Delete", store.Object{Key: key, VersionID: versionID, Modified: s.now()})
		old, err := s.store.DeleteVersion(ctx, b.Name, key, versionID, ev...)
		if errors.Is(err, store.ErrNotFound) {
			return deleted{versionID: versionID}, nil
		}
		if err != nil {
			return deleted{}, err
		}
		s.free(ctx, old.Data)
		return deleted{versionID: versionID, deleteMarker: old.DeleteMarker}, nil
	}
	if b.Versioning == "" {
		ev := s.events(ctx, b, "ObjectRemoved:Delete", store.Object{Key: key, VersionID: "null", Modified: s.now()})
		old, err := s.store.DeleteVersion(ctx, b.Name, key, "null", ev...)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return deleted{}, err
		}
		s.free(ctx, old.Data)
		return deleted{}, nil
	}
	marker := store.Object{Bucket: b.Name, Key: key, VersionID: versionFor(b), DeleteMarker: true, Modified: s.now(),
		Meta: store.ObjectMeta{Owner: b.Account}}
	freed, err := s.store.PutObject(ctx, marker, nil, s.events(ctx, b, "ObjectRemoved:DeleteMarkerCreated", marker)...)
	if err != nil {
		return deleted{}, s.writeError(err, b.Name, key, nil)
	}
	s.free(ctx, freed)
	return deleted{versionID: marker.VersionID, deleteMarker: true}, nil
}

// DeleteObject deletes an object or one of its versions.
func (s *Service) DeleteObject(ctx context.Context, in *ObjectInput) (*HeaderOutput, error) {
	b, err := s.bucketFor(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	if err := checkKey(in.Key); err != nil {
		return nil, err
	}
	d, err := s.deleteObject(ctx, b, in.Key, in.Query.Get("versionId"))
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	if d.versionID != "" {
		h.Set("X-Amz-Version-Id", d.versionID)
	}
	if d.deleteMarker {
		h.Set("X-Amz-Delete-Marker", "true")
	}
	return &HeaderOutput{Status: http.StatusNoContent, Header: h}, nil
}

// DeleteObjectsInput is DeleteObjects' request.
type DeleteObjectsInput struct {
	Bucket string      `rest:"uri=Bucket"`
	Header http.Header `rest:"headers"`
	Body   io.Reader   `rest:"payload"`
}

type deleteRequest struct {
	XMLName xml.Name `xml:"Delete"`
	Quiet   bool     `xml:"Quiet"`
	Objects []struct {
		Key       string `xml:"Key"`
		VersionID string `xml:"VersionId"`
	} `xml:"Object"`
}

// DeleteObjectsOutput is DeleteResult.
type DeleteObjectsOutput struct {
	XMLName xml.Name        `xml:"http://s3.amazonaws.com/doc/2006-03-01/ DeleteResult"`
	Deleted []deletedObject `xml:"Deleted"`
	Errors  []deleteError   `xml:"Error"`
}

type deletedObject struct {
	Key                   string `xml:"Key"`
	VersionID             string `xml:"VersionId,omitempty"`
	DeleteMarker          bool   `xml:"DeleteMarker,omitempty"`
	DeleteMarkerVersionID string `xml:"DeleteMarkerVersionId,omitempty"`
}

type deleteError struct {
	Key       string `xml:"Key"`
	VersionID string `xml:"VersionId,omitempty"`
	Code      string `xml:"Code"`
	Message   string `xml:"Message"`
}

// parseDelete reads a Delete document (at most 1,000 objects).
func parseDelete(doc []byte) (*deleteRequest, error) {
	var req deleteRequest
	if xml.Unmarshal(doc, &req) != nil || len(req.Objects) == 0 || len(req.Objects) > 1000 {
		return nil, malformedXML()
	}
	return &req, nil
}

// DeleteObjects deletes up to 1,000 keys; Quiet reports only the failures. The request must
// carry Content-MD5 or a flexible checksum (which authentication verified).
func (s *Service) DeleteObjects(ctx context.Context, in *DeleteObjectsInput) (*DeleteObjectsOutput, error) {
	b, err := s.bucketFor(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	doc, err := readDoc(in.Body)
	if err != nil {
		return nil, err
	}
	if in.Header.Get("Content-Md5") == "" && !hasChecksumHeader(in.Header) {
		return nil, invalidRequest("Missing required header for this request: Content-MD5")
	}
	if err := checkMD5(in.Header, doc); err != nil {
		return nil, err
	}
	req, err := parseDelete(doc)
	if err != nil {
		return nil, err
	}
	out := &DeleteObjectsOutput{}
	for _, o := range req.Objects {
		var d deleted
		err := checkKey(o.Key)
		if err == nil {
			d, err = s.deleteObject(ctx, b, o.Key, o.VersionID)
		}
		if err != nil {
			code, e := awserr.Resolve(awserr.RESTXML, err)
			out.Errors = append(out.Errors, deleteError{Key: o.Key, VersionID: o.VersionID, Code: code.Name, Message: e.Message})
			continue
		}
		if req.Quiet {
			continue
		}
		do := deletedObject{Key: o.Key, VersionID: o.VersionID}
		if d.deleteMarker {
			do.DeleteMarker = true
			if o.VersionID == "" {
				do.DeleteMarkerVersionID = d.versionID
			}
		}
		out.Deleted = append(out.Deleted, do)
	}
	return out, nil
}
