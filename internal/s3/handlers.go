package s3

import "github.com/gureum/gureum/internal/service"

// handlers maps each implemented operation to its handler; the rest of the table answers
// NotImplemented.
func (s *Service) handlers() map[string]service.Handler {
	return map[string]service.Handler{
		// Buckets (buckets.go)
		"CreateBucket":      service.Func(s.CreateBucket),
		"DeleteBucket":      service.Func(s.DeleteBucket),
		"HeadBucket":        service.Func(s.HeadBucket),
		"ListBuckets":       service.Func(s.ListBuckets),
		"GetBucketLocation": service.Func(s.GetBucketLocation),
		// Objects (objects.go, delete.go, copy.go, tagging.go, acl.go)
		"PutObject":           service.Func(s.PutObject),
		"GetObject":           service.Func(s.GetObject),
		"HeadObject":          service.Func(s.HeadObject),
		"DeleteObject":        service.Func(s.DeleteObject),
		"DeleteObjects":       service.Func(s.DeleteObjects),
		"CopyObject":          service.Func(s.CopyObject),
		"GetObjectTagging":    service.Func(s.GetObjectTagging),
		"PutObjectTagging":    service.Func(s.PutObjectTagging),
		"DeleteObjectTagging": service.Func(s.DeleteObjectTagging),
		"GetObjectAcl":        service.Func(s.GetObjectAcl),
		"PutObjectAcl":        service.Func(s.PutObjectAcl),
		"GetObjectAttributes": service.Func(s.GetObjectAttributes),
		// Listing (list.go, versions.go)
		"ListObjects":        service.Func(s.ListObjects),
		"ListObjectsV2":      service.Func(s.ListObjectsV2),
		"ListObjectVersions": service.Func(s.ListObjectVersions),
		// Multipart (multipart.go, uploads.go)
		"CreateMultipartUpload":   service.Func(s.CreateMultipartUpload),
		"UploadPart":              service.Func(s.UploadPart),
		"UploadPartCopy":          service.Func(s.UploadPartCopy),
		"CompleteMultipartUpload": service.Func(s.CompleteMultipartUpload),
		"AbortMultipartUpload":    service.Func(s.AbortMultipartUpload),
		"ListParts":               service.Func(s.ListParts),
		"ListMultipartUploads":    service.Func(s.ListMultipartUploads),
		// Versioning and ACLs (acl.go)
		"GetBucketVersioning": service.Func(s.GetBucketVersioning),
		"PutBucketVersioning": service.Func(s.PutBucketVersioning),
		"GetBucketAcl":        service.Func(s.GetBucketAcl),
		"PutBucketAcl":        service.Func(s.PutBucketAcl),
		// Bucket sub-resources stored as documents (configs.go, documents.go, notification.go)
		"GetBucketTagging":                   service.Func(s.getConfig(taggingKind)),
		"PutBucketTagging":                   service.Func(s.putConfig(taggingKind)),
		"DeleteBucketTagging":                service.Func(s.deleteConfig(taggingKind)),
		"GetBucketCors":                      service.Func(s.getConfig(corsKind)),
		"PutBucketCors":                      service.Func(s.putConfig(corsKind)),
		"DeleteBucketCors":                   service.Func(s.deleteConfig(corsKind)),
		"GetBucketPolicy":                    service.Func(s.getConfig(policyKind)),
		"PutBucketPolicy":                    service.Func(s.putConfig(policyKind)),
		"DeleteBucketPolicy":                 service.Func(s.deleteConfig(policyKind)),
		"GetBucketPolicyStatus":              service.Func(s.GetBucketPolicyStatus),
		"GetBucketOwnershipControls":         service.Func(s.getConfig(ownershipKind)),
		"PutBucketOwnershipControls":         service.Func(s.putConfig(ownershipKind)),
		"DeleteBucketOwnershipControls":      service.Func(s.deleteConfig(ownershipKind)),
		"GetPublicAccessBlock":               service.Func(s.getConfig(publicAccessKind)),
		"PutPublicAccessBlock":               service.Func(s.putConfig(publicAccessKind)),
		"DeletePublicAccessBlock":            service.Func(s.deleteConfig(publicAccessKind)),
		"GetBucketEncryption":                service.Func(s.getConfig(encryptionKind)),
		"PutBucketEncryption":                service.Func(s.putConfig(encryptionKind)),
		"DeleteBucketEncryption":             service.Func(s.deleteConfig(encryptionKind)),
		"GetBucketWebsite":                   service.Func(s.getConfig(websiteKind)),
		"PutBucketWebsite":                   service.Func(s.putConfig(websiteKind)),
		"DeleteBucketWebsite":                service.Func(s.deleteConfig(websiteKind)),
		"GetBucketLifecycleConfiguration":    service.Func(s.getConfig(lifecycleKind)),
		"PutBucketLifecycleConfiguration":    service.Func(s.putConfig(lifecycleKind)),
		"DeleteBucketLifecycle":              service.Func(s.deleteConfig(lifecycleKind)),
		"GetBucketRequestPayment":            service.Func(s.getConfig(requestPaymentKind)),
		"PutBucketRequestPayment":            service.Func(s.putConfig(requestPaymentKind)),
		"GetBucketAccelerateConfiguration":   service.Func(s.getConfig(accelerateKind)),
		"PutBucketAccelerateConfiguration":   service.Func(s.putConfig(accelerateKind)),
		"GetBucketNotificationConfiguration": service.Func(s.GetBucketNotificationConfiguration),
		"PutBucketNotificationConfiguration": service.Func(s.PutBucketNotificationConfiguration),
	}
}
