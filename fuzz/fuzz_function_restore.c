/* libFuzzer target for the FUNCTION RESTORE decoder (functionsRestore in
 * src/functions.c): footer check, RDB string decoding of every library
 * record, library metadata parsing and Lua compilation/loading in a scratch
 * context, then the APPEND / REPLACE / FLUSH join.
 *
 * Input: byte 0 selects the mode (bit 0: the rest is a payload body and a
 * valid version-10 footer + CRC is appended, so the decoder is reached;
 * otherwise the rest is the whole payload; bits 1-2: policy). Library code
 * runs with a 50 ms load timeout so a looping library cannot hang the run.
 *
 * Build and run: make fuzz-function-restore; then
 *   fuzz/fuzz_function_restore -max_total_time=60 fuzz/corpus_function_restore
 * (seed the corpus with the recorded payloads: make fuzz-function-restore-corpus). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "crc64.h"
#include "dstr.h"
#include "functions.h"
#include "server.h"
#include "zmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static int init = 0;
    static unsigned runs = 0;
    if (!init) {
        crc64Init();
        server.verbosity = LL_WARNING + 1; /* silence redis.log */
        init = 1;
    }
    if (size < 1) return 0;
    int mode = data[0];
    const unsigned char *body = data + 1;
    size_t blen = size - 1;
    dstr payload;
    if (mode & 1) {
        payload = dstrnewlen(body, blen);
        unsigned char ver[2] = {10, 0};
        payload = dstrcatlen(payload, ver, 2);
        uint64_t crc = crc64(0, payload, dstrlen(payload));
        unsigned char c[8];
        for (int i = 0; i < 8; i++) c[i] = (unsigned char)(crc >> (8 * i));
        payload = dstrcatlen(payload, c, 8);
    } else {
        payload = dstrnewlen(body, blen);
    }
    int policy = (mode >> 1) % 3;
    dstr err = NULL;
    functionsRestore((const unsigned char *)payload, dstrlen(payload), policy, 50, &err);
    if (err) dstrfree(err);
    dstrfree(payload);
    if (++runs % 64 == 0) { /* drop what accumulated: restore an empty payload with FLUSH */
        static const unsigned char empty[10] = {0x0a, 0x00, 0x5d, 0x9b, 0x5c, 0x40, 0x0f, 0x7f, 0xa2, 0xda};
        functionsRestore(empty, sizeof(empty), FUNCTIONS_RESTORE_FLUSH, 50, &err);
        if (err) dstrfree(err);
    }
    return 0;
}
