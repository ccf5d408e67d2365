package kms

import "github.com/gureum/gureum/internal/awserr"

// KMS's error codes, as the AWS KMS API reference names them.
var (
	ErrNotFound            = &awserr.Code{Name: "NotFoundException", Status: 400}
	ErrAlreadyExists       = &awserr.Code{Name: "AlreadyExistsException", Status: 400}
	ErrDisabled            = &awserr.Code{Name: "DisabledException", Status: 400}
	ErrInvalidState        = &awserr.Code{Name: "KMSInvalidStateException", Status: 400}
	ErrInvalidCiphertext   = &awserr.Code{Name: "InvalidCiphertextException", Status: 400}
	ErrIncorrectKey        = &awserr.Code{Name: "IncorrectKeyException", Status: 400}
	ErrInvalidKeyUsage     = &awserr.Code{Name: "InvalidKeyUsageException", Status: 400}
	ErrInvalidAliasName    = &awserr.Code{Name: "InvalidAliasNameException", Status: 400}
	ErrInvalidArn          = &awserr.Code{Name: "InvalidArnException", Status: 400}
	ErrInvalidMarker       = &awserr.Code{Name: "InvalidMarkerException", Status: 400}
	ErrInvalidGrantID      = &awserr.Code{Name: "InvalidGrantIdException", Status: 400}
	ErrInvalidGrantToken   = &awserr.Code{Name: "InvalidGrantTokenException", Status: 400}
	ErrMalformedPolicy     = &awserr.Code{Name: "MalformedPolicyDocumentException", Status: 400}
	ErrTag                 = &awserr.Code{Name: "TagException", Status: 400}
	ErrUnsupported         = &awserr.Code{Name: "UnsupportedOperationException", Status: 400}
	ErrValidation          = &awserr.Code{Name: "ValidationException", Status: 400}
	ErrLimitExceeded       = &awserr.Code{Name: "LimitExceededException", Status: 400}
	ErrDependencyTimeout   = &awserr.Code{Name: "DependencyTimeoutException", Status: 503, Receiver: true}
	ErrKMSInternal         = &awserr.Code{Name: "KMSInternalException", Status: 500, Receiver: true}
	ErrKMSInvalidMac       = &awserr.Code{Name: "KMSInvalidMacException", Status: 400}
	ErrInvalidSignature    = &awserr.Code{Name: "KMSInvalidSignatureException", Status: 400}
	ErrInvalidGrantIDShape = ErrInvalidGrantID
)
