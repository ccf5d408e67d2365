package sts

import "github.com/gureum/gureum/internal/awserr"

// STS's error codes, from the API reference.
var (
	ErrMalformedPolicyDocument = &awserr.Code{Name: "MalformedPolicyDocument", Status: 400}
	ErrPackedPolicyTooLarge    = &awserr.Code{Name: "PackedPolicyTooLarge", Status: 400}
	ErrRegionDisabled          = &awserr.Code{Name: "RegionDisabledException", Status: 403}
	ErrInvalidAuthorization    = &awserr.Code{Name: "InvalidAuthorizationMessageException", Status: 400}
)
