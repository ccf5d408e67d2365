package kms_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"github.com/gureum/gureum/internal/gureumtest"
)

var bg = context.Background()

// each runs fn against a fresh server on every store backend.
func each(t *testing.T, fn func(t *testing.T, c *kms.Client)) {
	for _, b := range gureumtest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			srv := gureumtest.Start(t, gureumtest.Options{Args: append([]string{"--log-level", "warn"}, b.Args...)})
			fn(t, kms.NewFromConfig(srv.Config()))
		})
	}
}

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return fmt.Sprintf("no API error: %v", err)
}

func newKey(t *testing.T, c *kms.Client) *types.KeyMetadata {
	t.Helper()
	out, err := c.CreateKey(bg, &kms.CreateKeyInput{Description: aws.String("test")})
	if err != nil {
		t.Fatalf("CreateKey: %v", err)
	}
	return out.KeyMetadata
}

func TestKeys(t *testing.T) {
	each(t, func(t *testing.T, c *kms.Client) {
		k := newKey(t, c)
		if k.KeyState != types.KeyStateEnabled || k.KeySpec != types.KeySpecSymmetricDefault || k.KeyManager != types.KeyManagerTypeCustomer ||
			!strings.HasPrefix(*k.Arn, "arn:aws:kms:us-east-1:000000000000:key/") || k.CreationDate == nil {
			t.Errorf("CreateKey = %+v", k)
		}
		d, err := c.DescribeKey(bg, &kms.DescribeKeyInput{KeyId: k.Arn})
		if err != nil || *d.KeyMetadata.KeyId != *k.KeyId || *d.KeyMetadata.Description != "test" {
			t.Errorf("DescribeKey(arn) = %+v, %v", d, err)
		}
		if _, err := c.DescribeKey(bg, &kms.DescribeKeyInput{KeyId: aws.String("11111111-2222-3333-4444-555555555555")}); code(err) != "NotFoundException" {
			t.Errorf("DescribeKey(missing) = %v; want NotFoundException", err)
		}
		for range 2 {
			newKey(t, c)
		}
		p1, err := c.ListKeys(bg, &kms.ListKeysInput{Limit: aws.Int32(2)})
		if err != nil || len(p1.Keys) != 2 || !p1.Truncated {
			t.Fatalf("ListKeys(limit 2) = %+v, %v", p1, err)
		}
		p2, err := c.ListKeys(bg, &kms.ListKeysInput{Limit: aws.Int32(2), Marker: p1.NextMarker})
		if err != nil || len(p2.Keys) != 1 || p2.Truncated {
			t.Errorf("ListKeys(page 2) = %+v, %v", p2, err)
		}
		pol, err := c.GetKeyPolicy(bg, &kms.GetKeyPolicyInput{KeyId: k.KeyId, PolicyName: aws.String("default")})
		if err != nil || !strings.Contains(*pol.Policy, "arn:aws:iam::000000000000:root") {
			t.Errorf("GetKeyPolicy = %v, %v; want the default policy", pol, err)
		}
		mine := `{"Version":"2012-10-17","Statement":[{"Sid":"root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"kms:*","Resource":"*"}]}`
		if _, err := c.PutKeyPolicy(bg, &kms.PutKeyPolicyInput{KeyId: k.KeyId, PolicyName: aws.String("default"), Policy: aws.String(mine)}); err != nil {
			t.Fatal(err)
		}
		if pol, _ := c.GetKeyPolicy(bg, &kms.GetKeyPolicyInput{KeyId: k.KeyId}); *pol.Policy != mine {
			t.Errorf("GetKeyPolicy after Put = %s", *pol.Policy)
		}
		if _, err := c.PutKeyPolicy(bg, &kms.PutKeyPolicyInput{KeyId: k.KeyId, Policy: aws.String("not json")}); code(err) != "MalformedPolicyDocumentException" {
			t.Errorf("PutKeyPolicy(not json) = %v", err)
		}
		c.TagResource(bg, &kms.TagResourceInput{KeyId: k.KeyId, Tags: []types.Tag{{TagKey: aws.String("team"), TagValue: aws.String("a")}, {TagKey: aws.String("env"), TagValue: aws.String("x")}}})
		c.UntagResource(bg, &kms.UntagResourceInput{KeyId: k.KeyId, TagKeys: []string{"env"}})
		tags, err := c.ListResourceTags(bg, &kms.ListResourceTagsInput{KeyId: k.KeyId})
		if err != nil || len(tags.Tags) != 1 || *tags.Tags[0].TagKey != "team" {
			t.Errorf("ListResourceTags = %+v, %v", tags, err)
		}
		if _, err := c.TagResource(bg, &kms.TagResourceInput{KeyId: k.KeyId, Tags: []types.Tag{{TagKey: aws.String("aws:x"), TagValue: aws.String("a")}}}); code(err) != "TagException" {
			t.Errorf("TagResource(aws:) = %v; want TagException", err)
		}
	})
}

func TestEncryptDecrypt(t *testing.T) {
	each(t, func(t *testing.T, c *kms.Client) {
		k := newKey(t, c)
		ec := map[string]string{"purpose": "test", "tenant": "a"}
		enc, err := c.Encrypt(bg, &kms.EncryptInput{KeyId: k.KeyId, Plaintext: []byte("hello"), EncryptionContext: ec})
		if err != nil || *enc.KeyId != *k.Arn {
			t.Fatalf("Encrypt = %+v, %v", enc, err)
		}
		dec, err := c.Decrypt(bg, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec})
		if err != nil || string(dec.Plaintext) != "hello" || *dec.KeyId != *k.Arn {
			t.Fatalf("Decrypt = %+v, %v", dec, err)
		}
		for name, in := range map[string]*kms.DecryptInput{
			"no context":    {CiphertextBlob: enc.CiphertextBlob},
			"wrong context": {CiphertextBlob: enc.CiphertextBlob, EncryptionContext: map[string]string{"purpose": "test", "tenant": "b"}},
			"tampered":      {CiphertextBlob: flip(enc.CiphertextBlob, len(enc.CiphertextBlob)-1), EncryptionContext: ec},
			"tampered head": {CiphertextBlob: flip(enc.CiphertextBlob, len(enc.CiphertextBlob)-20), EncryptionContext: ec},
			"garbage":       {CiphertextBlob: []byte("not a ciphertext at all, clearly")},
		} {
			if _, err := c.Decrypt(bg, in); code(err) != "InvalidCiphertextException" {
				t.Errorf("Decrypt(%s) = %v; want InvalidCiphertextException", name, err)
			}
		}
		other := newKey(t, c)
		if _, err := c.Decrypt(bg, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec, KeyId: other.KeyId}); code(err) != "IncorrectKeyException" {
			t.Errorf("Decrypt(other KeyId) = %v; want IncorrectKeyException", err)
		}
		re, err := c.ReEncrypt(bg, &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: ec, DestinationKeyId: other.Arn})
		if err != nil || *re.SourceKeyId != *k.Arn || *re.KeyId != *other.Arn {
			t.Fatalf("ReEncrypt = %+v, %v", re, err)
		}
		if dec, err := c.Decrypt(bg, &kms.DecryptInput{CiphertextBlob: re.CiphertextBlob}); err != nil || string(dec.Plaintext) != "hello" {
			t.Errorf("Decrypt(re-encrypted) = %v, %v", dec, err)
		}
		if _, err := c.Encrypt(bg, &kms.EncryptInput{KeyId: k.KeyId, Plaintext: make([]byte, 4097)}); code(err) != "ValidationException" {
			t.Errorf("Encrypt(4097 bytes) = %v; want ValidationException", err)
		}
		dk, err := c.GenerateDataKey(bg, &kms.GenerateDataKeyInput{KeyId: k.KeyId, KeySpec: types.DataKeySpecAes256, EncryptionContext: ec})
		if err != nil || len(dk.Plaintext) != 32 {
			t.Fatalf("GenerateDataKey = %+v, %v", dk, err)
		}
		if dec, err := c.Decrypt(bg, &kms.DecryptInput{CiphertextBlob: dk.CiphertextBlob, EncryptionContext: ec}); err != nil || !bytes.Equal(dec.Plaintext, dk.Plaintext) {
			t.Errorf("Decrypt(data key) = %v, %v", dec, err)
		}
		np, err := c.GenerateDataKeyWithoutPlaintext(bg, &kms.GenerateDataKeyWithoutPlaintextInput{KeyId: k.KeyId, NumberOfBytes: aws.Int32(64)})
		if err != nil || len(np.CiphertextBlob) == 0 {
			t.Errorf("GenerateDataKeyWithoutPlaintext = %+v, %v", np, err)
		}
		if _, err := c.GenerateDataKey(bg, &kms.GenerateDataKeyInput{KeyId: k.KeyId}); code(err) != "ValidationException" {
			t.Errorf("GenerateDataKey(no size) = %v; want ValidationException", err)
		}
		r, err := c.GenerateRandom(bg, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(24)})
		if err != nil || len(r.Plaintext) != 24 {
			t.Errorf("GenerateRandom = %v, %v", r, err)
		}
	})
}

func flip(b []byte, i int) []byte {
	out := bytes.Clone(b)
	out[i] ^= 1
	return out
}

func TestKeyStates(t *testing.T) {
	each(t, func(t *testing.T, c *kms.Client) {
		k := newKey(t, c)
		enc, _ := c.Encrypt(bg, &kms.EncryptInput{KeyId: k.KeyId, Plaintext: []byte("x")})
		c.DisableKey(bg, &kms.DisableKeyInput{KeyId: k.KeyId})
		if _, err := c.Encrypt(bg, &kms.EncryptInput{KeyId: k.KeyId, Plaintext: []byte("x")}); code(err) != "DisabledException" {
			t.Errorf("Encrypt(disabled) = %v; want DisabledException", err)
		}
		if _, err := c.Decrypt(bg, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob}); code(err) != "DisabledException" {
			t.Errorf("Decrypt(disabled) = %v; want DisabledException", err)
		}
		c.EnableKey(bg, &kms.EnableKeyInput{KeyId: k.KeyId})
		for _, days := range []int32{6, 31} {
			if _, err := c.ScheduleKeyDeletion(bg, &kms.ScheduleKeyDeletionInput{KeyId: k.KeyId, PendingWindowInDays: aws.Int32(days)}); code(err) != "ValidationException" {
				t.Errorf("ScheduleKeyDeletion(%d days) = %v; want ValidationException", days, err)
			}
		}
		sd, err := c.ScheduleKeyDeletion(bg, &kms.ScheduleKeyDeletionInput{KeyId: k.KeyId, PendingWindowInDays: aws.Int32(7)})
		if err != nil || sd.KeyState != types.KeyStatePendingDeletion || *sd.PendingWindowInDays != 7 || sd.DeletionDate == nil {
			t.Fatalf("ScheduleKeyDeletion = %+v, %v", sd, err)
		}
		if _, err := c.Encrypt(bg, &kms.EncryptInput{KeyId: k.KeyId, Plaintext: []byte("x")}); code(err) != "KMSInvalidStateException" {
			t.Errorf("Encrypt(pending deletion) = %v; want KMSInvalidStateException", err)
		}
		if _, err := c.EnableKey(bg, &kms.EnableKeyInput{KeyId: k.KeyId}); code(err) != "KMSInvalidStateException" {
			t.Errorf("EnableKey(pending deletion) = %v; want KMSInvalidStateException", err)
		}
		if _, err := c.CancelKeyDeletion(bg, &kms.CancelKeyDeletionInput{KeyId: k.KeyId}); err != nil {
			t.Fatal(err)
		}
		if d, _ := c.DescribeKey(bg, &kms.DescribeKeyInput{KeyId: k.KeyId}); d.KeyMetadata.KeyState != types.KeyStateDisabled {
			t.Errorf("state after CancelKeyDeletion = %s; want Disabled", d.KeyMetadata.KeyState)
		}
	})
}

func TestRotation(t *testing.T) {
	each(t, func(t *testing.T, c *kms.Client) {
		k := newKey(t, c)
		old, _ := c.Encrypt(bg, &kms.EncryptInput{KeyId: k.KeyId, Plaintext: []byte("before")})
		if _, err := c.EnableKeyRotation(bg, &kms.EnableKeyRotationInput{KeyId: k.KeyId, RotationPeriodInDays: aws.Int32(89)}); code(err) != "ValidationException" {
			t.Errorf("EnableKeyRotation(89 days) = %v", err)
		}
		if _, err := c.EnableKeyRotation(bg, &kms.EnableKeyRotationInput{KeyId: k.KeyId}); err != nil {
			t.Fatal(err)
		}
		st, err := c.GetKeyRotationStatus(bg, &kms.GetKeyRotationStatusInput{KeyId: k.KeyId})
		if err != nil || !st.KeyRotationEnabled || *st.RotationPeriodInDays != 365 {
			t.Errorf("GetKeyRotationStatus = %+v, %v", st, err)
		}
		if _, err := c.RotateKeyOnDemand(bg, &kms.RotateKeyOnDemandInput{KeyId: k.KeyId}); err != nil {
			t.Fatal(err)
		}
		newer, _ := c.Encrypt(bg, &kms.EncryptInput{KeyId: k.KeyId, Plaintext: []byte("after")})
		for want, blob := range map[string][]byte{"before": old.CiphertextBlob, "after": newer.CiphertextBlob} {
			if dec, err := c.Decrypt(bg, &kms.DecryptInput{CiphertextBlob: blob}); err != nil || string(dec.Plaintext) != want {
				t.Errorf("Decrypt(%s) after rotation = %v, %v", want, dec, err)
			}
		}
		rot, err := c.ListKeyRotations(bg, &kms.ListKeyRotationsInput{KeyId: k.KeyId})
		if err != nil || len(rot.Rotations) != 1 || rot.Rotations[0].RotationType != types.RotationTypeOnDemand {
			t.Errorf("ListKeyRotations = %+v, %v", rot, err)
		}
	})
}

func TestAliases(t *testing.T) {
	each(t, func(t *testing.T, c *kms.Client) {
		a, b := newKey(t, c), newKey(t, c)
		if _, err := c.CreateAlias(bg, &kms.CreateAliasInput{AliasName: aws.String("alias/app"), TargetKeyId: a.KeyId}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.CreateAlias(bg, &kms.CreateAliasInput{AliasName: aws.String("alias/app"), TargetKeyId: b.KeyId}); code(err) != "AlreadyExistsException" {
			t.Errorf("CreateAlias(again) = %v; want AlreadyExistsException", err)
		}
		if _, err := c.CreateAlias(bg, &kms.CreateAliasInput{AliasName: aws.String("alias/aws/mine"), TargetKeyId: b.KeyId}); code(err) != "InvalidAliasNameException" {
			t.Errorf("CreateAlias(alias/aws/) = %v; want InvalidAliasNameException", err)
		}
		enc, err := c.Encrypt(bg, &kms.EncryptInput{KeyId: aws.String("alias/app"), Plaintext: []byte("x")})
		if err != nil || *enc.KeyId != *a.Arn {
			t.Fatalf("Encrypt(alias) = %+v, %v", enc, err)
		}
		c.UpdateAlias(bg, &kms.UpdateAliasInput{AliasName: aws.String("alias/app"), TargetKeyId: b.Arn})
		if d, err := c.DescribeKey(bg, &kms.DescribeKeyInput{KeyId: aws.String("arn:aws:kms:us-east-1:000000000000:alias/app")}); err != nil || *d.KeyMetadata.KeyId != *b.KeyId {
			t.Errorf("DescribeKey(alias ARN) after UpdateAlias = %+v, %v", d, err)
		}
		managed, err := c.DescribeKey(bg, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/ssm")})
		if err != nil || managed.KeyMetadata.KeyManager != types.KeyManagerTypeAws {
			t.Fatalf("DescribeKey(alias/aws/ssm) = %+v, %v; want an AWS managed key", managed, err)
		}
		again, _ := c.DescribeKey(bg, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/ssm")})
		if *again.KeyMetadata.KeyId != *managed.KeyMetadata.KeyId {
			t.Error("alias/aws/ssm made a second key")
		}
		if _, err := c.DisableKey(bg, &kms.DisableKeyInput{KeyId: managed.KeyMetadata.KeyId}); code(err) != "UnsupportedOperationException" {
			t.Errorf("DisableKey(AWS managed) = %v", err)
		}
		list, err := c.ListAliases(bg, &kms.ListAliasesInput{})
		if err != nil || len(list.Aliases) != 2 {
			t.Errorf("ListAliases = %+v, %v; want alias/app and alias/aws/ssm", list, err)
		}
		byKey, _ := c.ListAliases(bg, &kms.ListAliasesInput{KeyId: b.KeyId})
		if len(byKey.Aliases) != 1 || *byKey.Aliases[0].AliasName != "alias/app" {
			t.Errorf("ListAliases(key b) = %+v", byKey)
		}
		c.DeleteAlias(bg, &kms.DeleteAliasInput{AliasName: aws.String("alias/app")})
		if _, err := c.DescribeKey(bg, &kms.DescribeKeyInput{KeyId: aws.String("alias/app")}); code(err) != "NotFoundException" {
			t.Errorf("DescribeKey(deleted alias) = %v", err)
		}
	})
}

func TestGrantsAndMac(t *testing.T) {
	each(t, func(t *testing.T, c *kms.Client) {
		k := newKey(t, c)
		g, err := c.CreateGrant(bg, &kms.CreateGrantInput{KeyId: k.KeyId, GranteePrincipal: aws.String("arn:aws:iam::000000000000:role/r"),
			Operations: []types.GrantOperation{types.GrantOperationDecrypt}})
		if err != nil || *g.GrantId == "" || *g.GrantToken == "" {
			t.Fatalf("CreateGrant = %+v, %v", g, err)
		}
		list, err := c.ListGrants(bg, &kms.ListGrantsInput{KeyId: k.KeyId})
		if err != nil || len(list.Grants) != 1 || *list.Grants[0].GrantId != *g.GrantId {
			t.Errorf("ListGrants = %+v, %v", list, err)
		}
		g2, err := c.CreateGrant(bg, &kms.CreateGrantInput{KeyId: k.KeyId, GranteePrincipal: aws.String("arn:aws:iam::000000000000:role/r"),
			RetiringPrincipal: aws.String("arn:aws:iam::000000000000:role/ops"), Operations: []types.GrantOperation{types.GrantOperationEncrypt}})
		if err != nil {
			t.Fatal(err)
		}
		ret, err := c.ListRetirableGrants(bg, &kms.ListRetirableGrantsInput{RetiringPrincipal: aws.String("arn:aws:iam::000000000000:role/ops")})
		if err != nil || len(ret.Grants) != 1 || *ret.Grants[0].GrantId != *g2.GrantId {
			t.Errorf("ListRetirableGrants = %+v, %v", ret, err)
		}
		if _, err := c.RetireGrant(bg, &kms.RetireGrantInput{GrantToken: g2.GrantToken}); err != nil {
			t.Errorf("RetireGrant(token) = %v", err)
		}
		if _, err := c.RetireGrant(bg, &kms.RetireGrantInput{GrantToken: g2.GrantToken}); code(err) != "InvalidGrantTokenException" {
			t.Errorf("RetireGrant(token again) = %v", err)
		}
		if _, err := c.RevokeGrant(bg, &kms.RevokeGrantInput{KeyId: k.KeyId, GrantId: g.GrantId}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.RevokeGrant(bg, &kms.RevokeGrantInput{KeyId: k.KeyId, GrantId: g.GrantId}); code(err) != "NotFoundException" {
			t.Errorf("RevokeGrant(again) = %v", err)
		}
		hk, err := c.CreateKey(bg, &kms.CreateKeyInput{KeySpec: types.KeySpecHmac256, KeyUsage: types.KeyUsageTypeGenerateVerifyMac})
		if err != nil {
			t.Fatal(err)
		}
		mac, err := c.GenerateMac(bg, &kms.GenerateMacInput{KeyId: hk.KeyMetadata.KeyId, Message: []byte("m"), MacAlgorithm: types.MacAlgorithmSpecHmacSha256})
		if err != nil || len(mac.Mac) != 32 {
			t.Fatalf("GenerateMac = %+v, %v", mac, err)
		}
		if v, err := c.VerifyMac(bg, &kms.VerifyMacInput{KeyId: hk.KeyMetadata.KeyId, Message: []byte("m"), Mac: mac.Mac, MacAlgorithm: types.MacAlgorithmSpecHmacSha256}); err != nil || !v.MacValid {
			t.Errorf("VerifyMac = %+v, %v", v, err)
		}
		if _, err := c.VerifyMac(bg, &kms.VerifyMacInput{KeyId: hk.KeyMetadata.KeyId, Message: []byte("n"), Mac: mac.Mac, MacAlgorithm: types.MacAlgorithmSpecHmacSha256}); code(err) != "KMSInvalidMacException" {
			t.Errorf("VerifyMac(wrong message) = %v", err)
		}
		if _, err := c.Encrypt(bg, &kms.EncryptInput{KeyId: hk.KeyMetadata.KeyId, Plaintext: []byte("x")}); code(err) != "InvalidKeyUsageException" {
			t.Errorf("Encrypt(HMAC key) = %v", err)
		}
	})
}
