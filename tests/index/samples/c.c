/* A fixed-size ring buffer. */
#include <stdlib.h>
#include <string.h>
#include "ring.h"

#define RING_CAPACITY 64
#define RING_FULL(r) ((r)->count == RING_CAPACITY)

typedef struct ring {
    int items[RING_CAPACITY];
    size_t head;
    size_t count;
} ring_t;

enum ring_status { RING_OK, RING_ERR_FULL };

union value {
    int i;
    double d;
};

static const int DEFAULT_FILL = 0;

int ring_push(ring_t *ring, int item);

ring_t *ring_new(void) {
    ring_t *ring = malloc(sizeof(ring_t));
    if (ring != NULL) {
        memset(ring, DEFAULT_FILL, sizeof(*ring));
    }
    return ring;
}

int ring_push(ring_t *ring, int item) {
    if (RING_FULL(ring)) {
        return RING_ERR_FULL;
    }
    ring->items[(ring->head + ring->count) % RING_CAPACITY] = item;
    ring->count++;
    return RING_OK;
}

void ring_free(struct ring *ring) {
    free(ring);
}
