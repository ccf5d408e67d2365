package s3

import (
	"net/http"

	"github.com/gureum/gureum/internal/awserr"
)

// S3's error codes and statuses, from the S3 API reference's error-code list.
var (
	ErrAccessDenied                  = &awserr.Code{Name: "AccessDenied", Status: 403}
	ErrAccessForbidden               = &awserr.Code{Name: "AccessForbidden", Status: 403} // a CORS preflight no rule allows
	ErrMalformedPOSTRequest          = &awserr.Code{Name: "MalformedPOSTRequest", Status: 400}
	ErrMaxPostPreDataLength          = &awserr.Code{Name: "MaxPostPreDataLengthExceeded", Status: 400}
	ErrInvalidPolicyDocument         = &awserr.Code{Name: "InvalidPolicyDocument", Status: 400}
	ErrBadDigest                     = &awserr.Code{Name: "BadDigest", Status: 400}
	ErrBucketAlreadyExists           = &awserr.Code{Name: "BucketAlreadyExists", Status: 409}
	ErrBucketAlreadyOwnedByYou       = &awserr.Code{Name: "BucketAlreadyOwnedByYou", Status: 409}
	ErrBucketNotEmpty                = &awserr.Code{Name: "BucketNotEmpty", Status: 409}
	ErrEntityTooLarge                = &awserr.Code{Name: "EntityTooLarge", Status: 400}
	ErrEntityTooSmall                = &awserr.Code{Name: "EntityTooSmall", Status: 400}
	ErrIllegalVersioning             = &awserr.Code{Name: "IllegalVersioningConfigurationException", Status: 400}
	ErrInvalidArgument               = &awserr.Code{Name: "InvalidArgument", Status: 400}
	ErrInvalidBucketName             = &awserr.Code{Name: "InvalidBucketName", Status: 400}
	ErrInvalidDigest                 = &awserr.Code{Name: "InvalidDigest", Status: 400}
	ErrInvalidLocationConstraint     = &awserr.Code{Name: "InvalidLocationConstraint", Status: 400}
	ErrInvalidPart                   = &awserr.Code{Name: "InvalidPart", Status: 400}
	ErrInvalidPartOrder              = &awserr.Code{Name: "InvalidPartOrder", Status: 400}
	ErrInvalidRange                  = &awserr.Code{Name: "InvalidRange", Status: 416}
	ErrInvalidRequest                = &awserr.Code{Name: "InvalidRequest", Status: 400}
	ErrInvalidTag                    = &awserr.Code{Name: "InvalidTag", Status: 400}
	ErrKeyTooLong                    = &awserr.Code{Name: "KeyTooLongError", Status: 400}
	ErrMalformedPolicy               = &awserr.Code{Name: "MalformedPolicy", Status: 400}
	ErrMalformedXML                  = &awserr.Code{Name: "MalformedXML", Status: 400}
	ErrMethodNotAllowed              = &awserr.Code{Name: "MethodNotAllowed", Status: 405}
	ErrMissingContentLength          = &awserr.Code{Name: "MissingContentLength", Status: 411}
	ErrNoSuchBucket                  = &awserr.Code{Name: "NoSuchBucket", Status: 404}
	ErrNoSuchBucketPolicy            = &awserr.Code{Name: "NoSuchBucketPolicy", Status: 404}
	ErrNoSuchCORSConfiguration       = &awserr.Code{Name: "NoSuchCORSConfiguration", Status: 404}
	ErrNoSuchKey                     = &awserr.Code{Name: "NoSuchKey", Status: 404}
	ErrNoSuchLifecycleConfiguration  = &awserr.Code{Name: "NoSuchLifecycleConfiguration", Status: 404}
	ErrNoSuchPublicAccessBlock       = &awserr.Code{Name: "NoSuchPublicAccessBlockConfiguration", Status: 404}
	ErrNoSuchTagSet                  = &awserr.Code{Name: "NoSuchTagSet", Status: 404}
	ErrNoSuchUpload                  = &awserr.Code{Name: "NoSuchUpload", Status: 404}
	ErrNoSuchVersion                 = &awserr.Code{Name: "NoSuchVersion", Status: 404}
	ErrNoSuchWebsiteConfiguration    = &awserr.Code{Name: "NoSuchWebsiteConfiguration", Status: 404}
	ErrNotModified                   = &awserr.Code{Name: "NotModified", Status: 304}
	ErrOwnershipControlsNotFound     = &awserr.Code{Name: "OwnershipControlsNotFoundError", Status: 404}
	ErrPreconditionFailed            = &awserr.Code{Name: "PreconditionFailed", Status: 412}
	ErrEncryptionConfigNotFound      = &awserr.Code{Name: "ServerSideEncryptionConfigurationNotFoundError", Status: 404}
	ErrReplicationConfigNotFound     = &awserr.Code{Name: "ReplicationConfigurationNotFoundError", Status: 404}
	ErrConditionalRequestConflict    = &awserr.Code{Name: "ConditionalRequestConflict", Status: 409}
	ErrInvalidStorageClass           = &awserr.Code{Name: "InvalidStorageClass", Status: 400}
	ErrIllegalLocationConstraint     = &awserr.Code{Name: "IllegalLocationConstraintException", Status: 400}
	ErrInvalidBucketState            = &awserr.Code{Name: "InvalidBucketState", Status: 409}
	ErrUnsupportedNotificationTarget = &awserr.Code{Name: "InvalidArgument", Status: 400}
)

func noSuchBucket(bucket string) error {
	return ErrNoSuchBucket.Errorf("The specified bucket does not exist").With("BucketName", bucket)
}

func noSuchKey(key string) error {
	return ErrNoSuchKey.Errorf("The specified key does not exist.").With("Key", key)
}

func noSuchUpload(id string) error {
	return ErrNoSuchUpload.Errorf("The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.").With("UploadId", id)
}

func malformedXML() error {
	return ErrMalformedXML.Errorf("The XML you provided was not well-formed or did not validate against our published schema")
}

func invalidArgument(msg, name, value string) error {
	return ErrInvalidArgument.Errorf("%s", msg).With("ArgumentName", name).With("ArgumentValue", value)
}

func preconditionFailed(condition string) error {
	return ErrPreconditionFailed.Errorf("At least one of the pre-conditions you specified did not hold").With("Condition", condition)
}

// headerError is an S3 error whose response carries headers too (x-amz-delete-marker on a
// NoSuchKey, ETag on NotModified); the REST-XML codec adds them.
type headerError struct {
	err    *awserr.Error
	header http.Header
}

func (e *headerError) Error() string                { return e.err.Error() }
func (e *headerError) Unwrap() error                { return e.err }
func (e *headerError) ResponseHeaders() http.Header { return e.header }

func withHeaders(err error, h http.Header) error {
	return &headerError{err: awserr.As(err), header: h}
}
