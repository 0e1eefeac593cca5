/* Diffie-Hellman for IKE on NSS: MODP groups 2, 5, 14-18 (RFC 2409, RFC
 * 3526), RFC 5114 groups 22-24, ECP groups 19-21 (RFC 5903), Curve25519
 * (group 31, RFC 8031). The primes and generators below are the RFCs'
 * constants; each RFC 3526 prime was checked against its defining formula
 * and for being a safe prime, each RFC 5114 group for q | p - 1 and
 * g^q = 1 (mod p). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <secoid.h>
#include "crypto_nss.h"

/* group 2, RFC 2409 6.2: 2^1024 - 2^960 - 1 + 2^64 * ([2^894 pi] + 129093); g = 2 */
static const char modp1024_p[] =
	"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
	"020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
	"4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF";

/* group 5, RFC 3526 2: 2^1536 - 2^1472 - 1 + 2^64 * ([2^1406 pi] + 741804); g = 2 */
static const char modp1536_p[] =
	"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
	"020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
	"4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
	"98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
	"9ED529077096966D670C354E4ABC9804F1746C08CA237327FFFFFFFFFFFFFFFF";

/* group 14, RFC 3526 3: 2^2048 - 2^1984 - 1 + 2^64 * ([2^1918 pi] + 124476); g = 2 */
static const char modp2048_p[] =
	"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
	"020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
	"4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
	"98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
	"9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
	"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
	"3995497CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF";

/* group 15, RFC 3526 4: 2^3072 - 2^3008 - 1 + 2^64 * ([2^2942 pi] + 1690314); g = 2 */
static const char modp3072_p[] =
	"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
	"020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
	"4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
	"98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
	"9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
	"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
	"3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33"
	"A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
	"ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864"
	"D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2"
	"08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF";

/* group 16, RFC 3526 5: 2^4096 - 2^4032 - 1 + 2^64 * ([2^3966 pi] + 240904); g = 2 */
static const char modp4096_p[] =
	"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
	"020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
	"4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
	"98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
	"9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
	"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
	"3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33"
	"A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
	"ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864"
	"D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2"
	"08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A92108011A723C12A787E6D7"
	"88719A10BDBA5B2699C327186AF4E23C1A946834B6150BDA2583E9CA2AD44CE8"
	"DBBBC2DB04DE8EF92E8EFC141FBECAA6287C59474E6BC05D99B2964FA090C3A2"
	"233BA186515BE7ED1F612970CEE2D7AFB81BDD762170481CD0069127D5B05AA9"
	"93B4EA988D8FDDC186FFB7DC90A6C08F4DF435C934063199FFFFFFFFFFFFFFFF";

/* group 17, RFC 3526 6: 2^6144 - 2^6080 - 1 + 2^64 * ([2^6014 pi] + 929484); g = 2 */
static const char modp6144_p[] =
	"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
	"020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
	"4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
	"98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
	"9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
	"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
	"3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33"
	"A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
	"ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864"
	"D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2"
	"08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A92108011A723C12A787E6D7"
	"88719A10BDBA5B2699C327186AF4E23C1A946834B6150BDA2583E9CA2AD44CE8"
	"DBBBC2DB04DE8EF92E8EFC141FBECAA6287C59474E6BC05D99B2964FA090C3A2"
	"233BA186515BE7ED1F612970CEE2D7AFB81BDD762170481CD0069127D5B05AA9"
	"93B4EA988D8FDDC186FFB7DC90A6C08F4DF435C93402849236C3FAB4D27C7026"
	"C1D4DCB2602646DEC9751E763DBA37BDF8FF9406AD9E530EE5DB382F413001AE"
	"B06A53ED9027D831179727B0865A8918DA3EDBEBCF9B14ED44CE6CBACED4BB1B"
	"DB7F1447E6CC254B332051512BD7AF426FB8F401378CD2BF5983CA01C64B92EC"
	"F032EA15D1721D03F482D7CE6E74FEF6D55E702F46980C82B5A84031900B1C9E"
	"59E7C97FBEC7E8F323A97A7E36CC88BE0F1D45B7FF585AC54BD407B22B4154AA"
	"CC8F6D7EBF48E1D814CC5ED20F8037E0A79715EEF29BE32806A1D58BB7C5DA76"
	"F550AA3D8A1FBFF0EB19CCB1A313D55CDA56C9EC2EF29632387FE8D76E3C0468"
	"043E8F663F4860EE12BF2D5B0B7474D6E694F91E6DCC4024FFFFFFFFFFFFFFFF";

/* group 18, RFC 3526 7: 2^8192 - 2^8128 - 1 + 2^64 * ([2^8062 pi] + 4743158); g = 2 */
static const char modp8192_p[] =
	"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
	"020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
	"4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
	"98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
	"9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
	"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
	"3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33"
	"A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
	"ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864"
	"D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2"
	"08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A92108011A723C12A787E6D7"
	"88719A10BDBA5B2699C327186AF4E23C1A946834B6150BDA2583E9CA2AD44CE8"
	"DBBBC2DB04DE8EF92E8EFC141FBECAA6287C59474E6BC05D99B2964FA090C3A2"
	"233BA186515BE7ED1F612970CEE2D7AFB81BDD762170481CD0069127D5B05AA9"
	"93B4EA988D8FDDC186FFB7DC90A6C08F4DF435C93402849236C3FAB4D27C7026"
	"C1D4DCB2602646DEC9751E763DBA37BDF8FF9406AD9E530EE5DB382F413001AE"
	"B06A53ED9027D831179727B0865A8918DA3EDBEBCF9B14ED44CE6CBACED4BB1B"
	"DB7F1447E6CC254B332051512BD7AF426FB8F401378CD2BF5983CA01C64B92EC"
	"F032EA15D1721D03F482D7CE6E74FEF6D55E702F46980C82B5A84031900B1C9E"
	"59E7C97FBEC7E8F323A97A7E36CC88BE0F1D45B7FF585AC54BD407B22B4154AA"
	"CC8F6D7EBF48E1D814CC5ED20F8037E0A79715EEF29BE32806A1D58BB7C5DA76"
	"F550AA3D8A1FBFF0EB19CCB1A313D55CDA56C9EC2EF29632387FE8D76E3C0468"
	"043E8F663F4860EE12BF2D5B0B7474D6E694F91E6DBE115974A3926F12FEE5E4"
	"38777CB6A932DF8CD8BEC4D073B931BA3BC832B68D9DD300741FA7BF8AFC47ED"
	"2576F6936BA424663AAB639C5AE4F5683423B4742BF1C978238F16CBE39D652D"
	"E3FDB8BEFC848AD922222E04A4037C0713EB57A81A23F0C73473FC646CEA306B"
	"4BCBC8862F8385DDFA9D4B7FA2C087E879683303ED5BDD3A062B3CF5B3A278A6"
	"6D2A13F83F44F82DDF310EE074AB6A364597E899A0255DC164F31CC50846851D"
	"F9AB48195DED7EA1B1D510BD7EE74D73FAF36BC31ECFA268359046F4EB879F92"
	"4009438B481C6CD7889A002ED5EE382BC9190DA6FC026E479558E4475677E9AA"
	"9E3050E2765694DFC81F56E880B96E7160C980DD98EDD3DFFFFFFFFFFFFFFFFF";

/* group 22, RFC 5114 2.1: 1024-bit prime, 160-bit subgroup */
static const char dh22_p[] =
	"B10B8F96A080E01DDE92DE5EAE5D54EC52C99FBCFB06A3C69A6A9DCA52D23B61"
	"6073E28675A23D189838EF1E2EE652C013ECB4AEA906112324975C3CD49B83BF"
	"ACCBDD7D90C4BD7098488E9C219A73724EFFD6FAE5644738FAA31A4FF55BCCC0"
	"A151AF5F0DC8B4BD45BF37DF365C1A65E68CFDA76D4DA708DF1FB2BC2E4A4371";
static const char dh22_g[] =
	"A4D1CBD5C3FD34126765A442EFB99905F8104DD258AC507FD6406CFF14266D31"
	"266FEA1E5C41564B777E690F5504F213160217B4B01B886A5E91547F9E2749F4"
	"D7FBD7D3B9A92EE1909D0D2263F80A76A6A24C087A091F531DBF0A0169B6A28A"
	"D662A4D18E73AFA32D779D5918D08BC8858F4DCEF97C2A24855E6EEB22B3B2E5";
static const char dh22_q[] =
	"F518AA8781A8DF278ABA4E7D64B7CB9D49462353";

/* group 23, RFC 5114 2.2: 2048-bit prime, 224-bit subgroup */
static const char dh23_p[] =
	"AD107E1E9123A9D0D660FAA79559C51FA20D64E5683B9FD1B54B1597B61D0A75"
	"E6FA141DF95A56DBAF9A3C407BA1DF15EB3D688A309C180E1DE6B85A1274A0A6"
	"6D3F8152AD6AC2129037C9EDEFDA4DF8D91E8FEF55B7394B7AD5B7D0B6C12207"
	"C9F98D11ED34DBF6C6BA0B2C8BBC27BE6A00E0A0B9C49708B3BF8A3170918836"
	"81286130BC8985DB1602E714415D9330278273C7DE31EFDC7310F7121FD5A074"
	"15987D9ADC0A486DCDF93ACC44328387315D75E198C641A480CD86A1B9E587E8"
	"BE60E69CC928B2B9C52172E413042E9B23F10B0E16E79763C9B53DCF4BA80A29"
	"E3FB73C16B8E75B97EF363E2FFA31F71CF9DE5384E71B81C0AC4DFFE0C10E64F";
static const char dh23_g[] =
	"AC4032EF4F2D9AE39DF30B5C8FFDAC506CDEBE7B89998CAF74866A08CFE4FFE3"
	"A6824A4E10B9A6F0DD921F01A70C4AFAAB739D7700C29F52C57DB17C620A8652"
	"BE5E9001A8D66AD7C17669101999024AF4D027275AC1348BB8A762D0521BC98A"
	"E247150422EA1ED409939D54DA7460CDB5F6C6B250717CBEF180EB34118E98D1"
	"19529A45D6F834566E3025E316A330EFBB77A86F0C1AB15B051AE3D428C8F8AC"
	"B70A8137150B8EEB10E183EDD19963DDD9E263E4770589EF6AA21E7F5F2FF381"
	"B539CCE3409D13CD566AFBB48D6C019181E1BCFE94B30269EDFE72FE9B6AA4BD"
	"7B5A0F1C71CFFF4C19C418E1F6EC017981BC087F2A7065B384B890D3191F2BFA";
static const char dh23_q[] =
	"801C0D34C58D93FE997177101F80535A4738CEBCBF389A99B36371EB";

/* group 24, RFC 5114 2.3: 2048-bit prime, 256-bit subgroup */
static const char dh24_p[] =
	"87A8E61DB4B6663CFFBBD19C651959998CEEF608660DD0F25D2CEED4435E3B00"
	"E00DF8F1D61957D4FAF7DF4561B2AA3016C3D91134096FAA3BF4296D830E9A7C"
	"209E0C6497517ABD5A8A9D306BCF67ED91F9E6725B4758C022E0B1EF4275BF7B"
	"6C5BFC11D45F9088B941F54EB1E59BB8BC39A0BF12307F5C4FDB70C581B23F76"
	"B63ACAE1CAA6B7902D52526735488A0EF13C6D9A51BFA4AB3AD8347796524D8E"
	"F6A167B5A41825D967E144E5140564251CCACB83E6B486F6B3CA3F7971506026"
	"C0B857F689962856DED4010ABD0BE621C3A3960A54E710C375F26375D7014103"
	"A4B54330C198AF126116D2276E11715F693877FAD7EF09CADB094AE91E1A1597";
static const char dh24_g[] =
	"3FB32C9B73134D0B2E77506660EDBD484CA7B18F21EF205407F4793A1A0BA125"
	"10DBC15077BE463FFF4FED4AAC0BB555BE3A6C1B0C6B47B1BC3773BF7E8C6F62"
	"901228F8C28CBB18A55AE31341000A650196F931C77A57F2DDF463E5E9EC144B"
	"777DE62AAAB8A8628AC376D282D6ED3864E67982428EBC831D14348F6F2F9193"
	"B5045AF2767164E1DFC967C1FB3F2E55A4BD1BFFE83B9C80D052B985D182EA0A"
	"DB2A3B7313D3FE14C8484B1E052588B9B7D2BBD2DF016199ECD06E1557CD0915"
	"B3353BBB64E0EC377FD028370DF92B52C7891428CDC67EB6184B523D1DB246C3"
	"2F63078490F00EF8D647D148D47954515E2327CFEF98C582664B4C0F6CC41659";
static const char dh24_q[] =
	"8CF83642A709A097B447997640129DA299B1A47D1EB3750BA308B0FE64F5FBD3";

enum dh_kind { DH_MODP, DH_ECP, DH_X25519 };

struct dh_group {
	unsigned number;
	enum dh_kind kind;
	const char *p_hex, *g_hex, *q_hex;   /* MODP; g_hex NULL: g = 2; q_hex NULL: safe prime */
	SECOidTag curve;                     /* ECP, X25519 */
	size_t ke_len, shared_len;
	/* filled once by decode_groups() */
	uint8_t *p, *g, *q;
	size_t p_len, g_len, q_len;
	uint8_t ecparams[16];                /* DER OBJECT IDENTIFIER of the curve */
	size_t ecparams_len;
};

static struct dh_group groups[] = {
	{ .number = 2, .kind = DH_MODP, .p_hex = modp1024_p, .g_hex = NULL, .q_hex = NULL,
	  .curve = 0, .ke_len = 128, .shared_len = 128 },
	{ .number = 5, .kind = DH_MODP, .p_hex = modp1536_p, .g_hex = NULL, .q_hex = NULL,
	  .curve = 0, .ke_len = 192, .shared_len = 192 },
	{ .number = 14, .kind = DH_MODP, .p_hex = modp2048_p, .g_hex = NULL, .q_hex = NULL,
	  .curve = 0, .ke_len = 256, .shared_len = 256 },
	{ .number = 15, .kind = DH_MODP, .p_hex = modp3072_p, .g_hex = NULL, .q_hex = NULL,
	  .curve = 0, .ke_len = 384, .shared_len = 384 },
	{ .number = 16, .kind = DH_MODP, .p_hex = modp4096_p, .g_hex = NULL, .q_hex = NULL,
	  .curve = 0, .ke_len = 512, .shared_len = 512 },
	{ .number = 17, .kind = DH_MODP, .p_hex = modp6144_p, .g_hex = NULL, .q_hex = NULL,
	  .curve = 0, .ke_len = 768, .shared_len = 768 },
	{ .number = 18, .kind = DH_MODP, .p_hex = modp8192_p, .g_hex = NULL, .q_hex = NULL,
	  .curve = 0, .ke_len = 1024, .shared_len = 1024 },
	{ .number = 19, .kind = DH_ECP, .p_hex = NULL, .g_hex = NULL, .q_hex = NULL,
	  .curve = SEC_OID_ANSIX962_EC_PRIME256V1, .ke_len = 64, .shared_len = 32 },
	{ .number = 20, .kind = DH_ECP, .p_hex = NULL, .g_hex = NULL, .q_hex = NULL,
	  .curve = SEC_OID_SECG_EC_SECP384R1, .ke_len = 96, .shared_len = 48 },
	{ .number = 21, .kind = DH_ECP, .p_hex = NULL, .g_hex = NULL, .q_hex = NULL,
	  .curve = SEC_OID_SECG_EC_SECP521R1, .ke_len = 132, .shared_len = 66 },
	{ .number = 22, .kind = DH_MODP, .p_hex = dh22_p, .g_hex = dh22_g, .q_hex = dh22_q,
	  .curve = 0, .ke_len = 128, .shared_len = 128 },
	{ .number = 23, .kind = DH_MODP, .p_hex = dh23_p, .g_hex = dh23_g, .q_hex = dh23_q,
	  .curve = 0, .ke_len = 256, .shared_len = 256 },
	{ .number = 24, .kind = DH_MODP, .p_hex = dh24_p, .g_hex = dh24_g, .q_hex = dh24_q,
	  .curve = 0, .ke_len = 256, .shared_len = 256 },
	{ .number = 31, .kind = DH_X25519, .p_hex = NULL, .g_hex = NULL, .q_hex = NULL,
	  .curve = SEC_OID_CURVE25519, .ke_len = 32, .shared_len = 32 },
};
#define NGROUPS (sizeof(groups) / sizeof(groups[0]))

static pthread_once_t decode_once = PTHREAD_ONCE_INIT;
static bool decode_ok;

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static uint8_t *unhex(const char *hex, size_t *len)
{
	size_t n = strlen(hex);
	uint8_t *b = n % 2 == 0 ? malloc(n / 2) : NULL;
	if (b == NULL)
		return NULL;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			free(b);
			return NULL;
		}
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	*len = n / 2;
	return b;
}

/* The static group table is decoded once and kept for the process's
 * life (it is a constant). */
static void decode_groups(void)
{
	static uint8_t two = 2;
	for (size_t i = 0; i < NGROUPS; i++) {
		struct dh_group *g = &groups[i];
		if (g->kind == DH_MODP) {
			g->p = unhex(g->p_hex, &g->p_len);
			if (g->p == NULL || g->p_len != g->ke_len)
				return;
			if (g->g_hex != NULL) {
				g->g = unhex(g->g_hex, &g->g_len);
				g->q = unhex(g->q_hex, &g->q_len);
				if (g->g == NULL || g->q == NULL)
					return;
			} else {
				g->g = &two;
				g->g_len = 1;
			}
		} else {
			SECOidData *oid = SECOID_FindOIDByTag(g->curve);
			if (oid == NULL || oid->oid.len + 2 > sizeof(g->ecparams))
				return;
			g->ecparams[0] = SEC_ASN1_OBJECT_ID;
			g->ecparams[1] = (uint8_t)oid->oid.len;
			memcpy(g->ecparams + 2, oid->oid.data, oid->oid.len);
			g->ecparams_len = oid->oid.len + 2;
		}
	}
	decode_ok = true;
}

static const struct dh_group *find_group(const struct alg_desc *alg)
{
	if (alg == NULL || alg->type != ALG_DH)
		return NULL;
	for (size_t i = 0; i < NGROUPS; i++)
		if (groups[i].number == alg->dh_group)
			return &groups[i];
	return NULL;
}

/* find_group plus the one-time decoding (which needs NSS's OID table). */
static const struct dh_group *ready_group(const struct alg_desc *alg, err_t *e)
{
	if ((*e = crypto_check_ready()) != NULL)
		return NULL;
	const struct dh_group *g = find_group(alg);
	if (g == NULL) {
		*e = crypto_errorf("%s is not a supported Diffie-Hellman group",
				   alg != NULL ? alg->name : "(none)");
		return NULL;
	}
	pthread_once(&decode_once, decode_groups);
	if (!decode_ok) {
		*e = "Diffie-Hellman group table failed to decode";
		return NULL;
	}
	return g;
}

size_t dh_ke_len(const struct alg_desc *group)
{
	const struct dh_group *g = find_group(group);
	return g != NULL ? g->ke_len : 0;
}

size_t dh_shared_len(const struct alg_desc *group)
{
	const struct dh_group *g = find_group(group);
	return g != NULL ? g->shared_len : 0;
}

struct dh_secret {
	const struct alg_desc *alg;
	const struct dh_group *group;
	SECKEYPrivateKey *priv;
	SECKEYPublicKey *pub;         /* ours; the template for the peer's */
	PK11GenericObject *object;    /* dh_import: the private key object */
	chunk_t ke;                   /* our KE payload bytes */
	unsigned shares;              /* holders beyond the first (dh_share) */
};

/* big-endian integer, left-padded with zeros to len bytes */
static err_t pad_into(const SECItem *v, size_t len, chunk_t *out)
{
	size_t n = v->len;
	const uint8_t *p = v->data;
	while (n > len && *p == 0) {   /* tolerate a leading zero byte */
		p++;
		n--;
	}
	if (n > len)
		return "Diffie-Hellman value longer than the group allows";
	*out = chunk_alloc(len);
	memcpy(out->ptr + (len - n), p, n);
	return NULL;
}

static err_t set_ke(struct dh_secret *s)
{
	const struct dh_group *g = s->group;
	const SECItem *v = g->kind == DH_MODP ? &s->pub->u.dh.publicValue
					      : &s->pub->u.ec.publicValue;
	switch (g->kind) {
	case DH_MODP:
		return pad_into(v, g->ke_len, &s->ke);
	case DH_ECP:
		/* SEC1 uncompressed point 04 || x || y; IKE sends x || y */
		if (v->len != g->ke_len + 1 || v->data[0] != 0x04)
			return "NSS returned an unexpected ECP public value";
		s->ke = chunk_clone(v->data + 1, g->ke_len);
		return NULL;
	case DH_X25519:
		if (v->len != g->ke_len)
			return "NSS returned an unexpected Curve25519 public value";
		s->ke = chunk_clone(v->data, v->len);
		return NULL;
	}
	return "unknown group kind";
}

struct dh_secret *dh_generate(const struct alg_desc *alg, err_t *e)
{
	const struct dh_group *g = ready_group(alg, e);
	if (g == NULL)
		return NULL;
	struct dh_secret *s = calloc(1, sizeof(*s));
	if (s == NULL) {
		*e = "out of memory";
		return NULL;
	}
	s->alg = alg;
	s->group = g;
	if (g->kind == DH_MODP) {
		SECKEYDHParams params = {
			.arena = NULL,
			.prime = { siUnsignedInteger, g->p, (unsigned)g->p_len },
			.base = { siUnsignedInteger, g->g, (unsigned)g->g_len },
		};
		s->priv = SECKEY_CreateDHPrivateKey(&params, &s->pub, NULL);
	} else {
		SECKEYECParams params = { siDEROID, (unsigned char *)g->ecparams,
					  (unsigned)g->ecparams_len };
		s->priv = SECKEY_CreateECPrivateKey(&params, &s->pub, NULL);
	}
	if (s->priv == NULL || s->pub == NULL) {
		*e = crypto_nss_error("generating a Diffie-Hellman key");
		dh_free(&s);
		return NULL;
	}
	if (g->q != NULL) {
		/* With the subgroup order on our private key, NSS's softoken
		 * checks y^q = 1 (mod p) for every peer value (RFC 6989 2.2). */
		SECItem q = { siUnsignedInteger, g->q, (unsigned)g->q_len };
		if (PK11_WriteRawAttribute(PK11_TypePrivKey, s->priv, CKA_SUBPRIME, &q) != SECSuccess) {
			*e = crypto_nss_error("setting the Diffie-Hellman subgroup");
			dh_free(&s);
			return NULL;
		}
	}
	if ((*e = set_ke(s)) != NULL) {
		dh_free(&s);
		return NULL;
	}
	return s;
}

/* Our public key in NSS form, for imported secrets. */
static SECKEYPublicKey *make_pub(const struct dh_group *g, chunk_t ke, err_t *e)
{
	PLArenaPool *arena = PORT_NewArena(DER_DEFAULT_CHUNKSIZE);
	SECKEYPublicKey *k = arena != NULL ? PORT_ArenaZNew(arena, SECKEYPublicKey) : NULL;
	if (k == NULL) {
		if (arena != NULL)
			PORT_FreeArena(arena, PR_FALSE);
		*e = crypto_nss_error("allocating a public key");
		return NULL;
	}
	k->arena = arena;
	k->pkcs11Slot = NULL;
	k->pkcs11ID = CK_INVALID_HANDLE;
	SECItem *v;
	size_t off = 0;
	if (g->kind == DH_MODP) {
		k->keyType = dhKey;
		k->u.dh.arena = arena;
		k->u.dh.prime = (SECItem){ siUnsignedInteger, g->p, (unsigned)g->p_len };
		k->u.dh.base = (SECItem){ siUnsignedInteger, g->g, (unsigned)g->g_len };
		v = &k->u.dh.publicValue;
	} else {
		k->keyType = ecKey;
		k->u.ec.DEREncodedParams = (SECItem){ siDEROID, (unsigned char *)g->ecparams,
						      (unsigned)g->ecparams_len };
		k->u.ec.size = (int)(g->shared_len * 8);
		k->u.ec.encoding = g->kind == DH_ECP ? ECPoint_Uncompressed : ECPoint_XOnly;
		v = &k->u.ec.publicValue;
		off = g->kind == DH_ECP ? 1 : 0;
	}
	v->type = siBuffer;
	v->len = (unsigned)(ke.len + off);
	v->data = PORT_ArenaAlloc(arena, v->len);
	if (v->data == NULL) {
		PORT_FreeArena(arena, PR_FALSE);
		*e = crypto_nss_error("allocating a public key");
		return NULL;
	}
	if (off)
		v->data[0] = 0x04;
	memcpy(v->data + off, ke.ptr, ke.len);
	return k;
}

struct dh_secret *dh_import(const struct alg_desc *alg, chunk_t priv,
			    chunk_t pub, err_t *e)
{
	const struct dh_group *g = ready_group(alg, e);
	if (g == NULL)
		return NULL;
	if (pub.len != g->ke_len || priv.len == 0 || priv.len > g->ke_len) {
		*e = "private or public value of the wrong length for the group";
		return NULL;
	}
	struct dh_secret *s = calloc(1, sizeof(*s));
	if (s == NULL) {
		*e = "out of memory";
		return NULL;
	}
	s->alg = alg;
	s->group = g;
	uint8_t id[16];
	if ((*e = random_bytes(id, sizeof(id))) != NULL) {
		dh_free(&s);
		return NULL;
	}
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_KEY_TYPE type = g->kind == DH_MODP ? CKK_DH : CKK_EC;
	CK_BBOOL no = CK_FALSE, yes = CK_TRUE;
	CK_ATTRIBUTE t[10];
	unsigned n = 0;
	t[n++] = (CK_ATTRIBUTE){ CKA_CLASS, &cls, sizeof(cls) };
	t[n++] = (CK_ATTRIBUTE){ CKA_KEY_TYPE, &type, sizeof(type) };
	t[n++] = (CK_ATTRIBUTE){ CKA_TOKEN, &no, sizeof(no) };
	t[n++] = (CK_ATTRIBUTE){ CKA_DERIVE, &yes, sizeof(yes) };
	t[n++] = (CK_ATTRIBUTE){ CKA_ID, id, sizeof(id) };
	t[n++] = (CK_ATTRIBUTE){ CKA_VALUE, priv.ptr, priv.len };
	if (g->kind == DH_MODP) {
		t[n++] = (CK_ATTRIBUTE){ CKA_PRIME, g->p, g->p_len };
		t[n++] = (CK_ATTRIBUTE){ CKA_BASE, g->g, g->g_len };
		if (g->q != NULL)
			t[n++] = (CK_ATTRIBUTE){ CKA_SUBPRIME, g->q, g->q_len };
	} else {
		t[n++] = (CK_ATTRIBUTE){ CKA_EC_PARAMS, (void *)g->ecparams, g->ecparams_len };
	}
	s->object = PK11_CreateManagedGenericObject(crypto_slot(), t, n, PR_FALSE);
	if (s->object == NULL) {
		*e = crypto_nss_error("importing a Diffie-Hellman private value");
		dh_free(&s);
		return NULL;
	}
	SECItem idi = { siBuffer, id, sizeof(id) };
	s->priv = PK11_FindKeyByKeyID(crypto_slot(), &idi, NULL);
	if (s->priv == NULL) {
		*e = crypto_nss_error("finding the imported Diffie-Hellman key");
		dh_free(&s);
		return NULL;
	}
	s->pub = make_pub(g, pub, e);
	if (s->pub == NULL) {
		dh_free(&s);
		return NULL;
	}
	s->ke = chunk_dup(pub);
	return s;
}

const struct alg_desc *dh_secret_group(const struct dh_secret *s)
{
	return s->alg;
}

chunk_t dh_public_value(const struct dh_secret *s)
{
	return s->ke;
}

/* 2 <= y <= p - 2, for a y of exactly p's length (RFC 6989 2.1). */
static bool modp_value_ok(const struct dh_group *g, const uint8_t *y)
{
	size_t n = g->p_len;
	/* y <= 1: every byte but the last zero and the last 0 or 1 */
	bool small = y[n - 1] <= 1;
	for (size_t i = 0; small && i + 1 < n; i++)
		small = y[i] == 0;
	if (small)
		return false;
	/* y < p - 1; p is odd so p - 1 only changes the last byte */
	for (size_t i = 0; i < n; i++) {
		uint8_t pm1 = i + 1 < n ? g->p[i] : (uint8_t)(g->p[i] - 1);
		if (y[i] != pm1)
			return y[i] < pm1;
	}
	return false;   /* y == p - 1 */
}

err_t dh_shared_secret(struct dh_secret *s, chunk_t peer, chunk_t *gir)
{
	*gir = EMPTY_CHUNK;
	err_t e = crypto_check_ready();
	if (e != NULL)
		return e;
	const struct dh_group *g = s->group;
	if (peer.len != g->ke_len)
		return crypto_errorf("%s public value has %zu bytes, expected %zu",
				     s->alg->name, peer.len, g->ke_len);
	if (g->kind == DH_MODP && !modp_value_ok(g, peer.ptr))
		return crypto_errorf("%s public value is out of range (0, 1, p-1 or >= p)",
				     s->alg->name);
	SECKEYPublicKey *pk = SECKEY_CopyPublicKey(s->pub);
	if (pk == NULL)
		return crypto_nss_error("copying a public key");
	SECItem *v = g->kind == DH_MODP ? &pk->u.dh.publicValue : &pk->u.ec.publicValue;
	size_t off = g->kind == DH_ECP ? 1 : 0;
	v->len = (unsigned)(peer.len + off);
	v->data = PORT_ArenaAlloc(pk->arena, v->len);
	if (v->data == NULL) {
		SECKEY_DestroyPublicKey(pk);
		return crypto_nss_error("allocating a public key");
	}
	if (off)
		v->data[0] = 0x04;
	memcpy(v->data + off, peer.ptr, peer.len);

	PK11SymKey *k;
	if (g->kind == DH_MODP)
		k = PK11_PubDerive(s->priv, pk, PR_FALSE, NULL, NULL, CKM_DH_PKCS_DERIVE,
				   CKM_GENERIC_SECRET_KEY_GEN, CKA_DERIVE, 0, NULL);
	else
		k = PK11_PubDeriveWithKDF(s->priv, pk, PR_FALSE, NULL, NULL, CKM_ECDH1_DERIVE,
					  CKM_GENERIC_SECRET_KEY_GEN, CKA_DERIVE, 0,
					  CKD_NULL, NULL, NULL);
	SECKEY_DestroyPublicKey(pk);
	if (k == NULL)
		/* NSS refuses points off the curve, MODP values outside the
		 * subgroup, and Curve25519 results of zero */
		return crypto_nss_error(g->kind == DH_ECP ? "peer's point is not on the curve"
					: "peer's Diffie-Hellman value is invalid");
	if (PK11_ExtractKeyValue(k) != SECSuccess) {
		e = crypto_nss_error("extracting g^ir");
		PK11_FreeSymKey(k);
		return e;
	}
	const SECItem *d = PK11_GetKeyData(k);
	e = d != NULL ? pad_into(d, g->shared_len, gir) : "NSS returned no g^ir";
	PK11_FreeSymKey(k);
	if (e != NULL)
		return e;
	if (g->kind == DH_X25519) {
		static const uint8_t zero[32];
		if (crypto_memeq(gir->ptr, zero, sizeof(zero))) {
			chunk_free(gir);
			return "curve25519 shared secret is all zeros (RFC 8031 2)";
		}
	}
	return NULL;
}

struct dh_secret *dh_share(struct dh_secret *s)
{
	__atomic_add_fetch(&s->shares, 1, __ATOMIC_RELAXED);
	return s;
}

void dh_free(struct dh_secret **sp)
{
	struct dh_secret *s = *sp;
	if (s == NULL)
		return;
	*sp = NULL;
	/* another holder left: it frees the key pair; the acquire pairs with
	 * the other holders' releases so their use happened before the free */
	unsigned seen = __atomic_load_n(&s->shares, __ATOMIC_ACQUIRE);
	while (seen > 0)
		if (__atomic_compare_exchange_n(&s->shares, &seen, seen - 1, false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			return;
	if (s->priv != NULL)
		SECKEY_DestroyPrivateKey(s->priv);
	if (s->pub != NULL)
		SECKEY_DestroyPublicKey(s->pub);
	if (s->object != NULL)
		PK11_DestroyGenericObject(s->object);
	chunk_free(&s->ke);
	free(s);
}
