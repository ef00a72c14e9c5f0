/* N-body simulation of the Jovian planets (symplectic Euler), printing energies and positions. */
#include <math.h>
#include <stdio.h>

#define MAX_BODIES 16
#define PI 3.141592653589793
#define SOLAR_MASS (4 * PI * PI)
#define DAYS_PER_YEAR 365.24

typedef struct {
    double x, y, z, vx, vy, vz, mass;
} Body;

static Body bodies[MAX_BODIES];
static int nbodies;

static void offset_momentum(void) {
    double px = 0, py = 0, pz = 0;
    for (int i = 0; i < nbodies; i++) {
        px += bodies[i].vx * bodies[i].mass;
        py += bodies[i].vy * bodies[i].mass;
        pz += bodies[i].vz * bodies[i].mass;
    }
    bodies[0].vx = -px / SOLAR_MASS;
    bodies[0].vy = -py / SOLAR_MASS;
    bodies[0].vz = -pz / SOLAR_MASS;
}

static double energy(void) {
    double e = 0.0;
    for (int i = 0; i < nbodies; i++) {
        Body *b = &bodies[i];
        e += 0.5 * b->mass * (b->vx * b->vx + b->vy * b->vy + b->vz * b->vz);
        for (int j = i + 1; j < nbodies; j++) {
            Body *c = &bodies[j];
            double dx = b->x - c->x, dy = b->y - c->y, dz = b->z - c->z;
            e -= (b->mass * c->mass) / sqrt(dx * dx + dy * dy + dz * dz);
        }
    }
    return e;
}

static void advance(double dt) {
    for (int i = 0; i < nbodies; i++) {
        Body *b = &bodies[i];
        for (int j = i + 1; j < nbodies; j++) {
            Body *c = &bodies[j];
            double dx = b->x - c->x, dy = b->y - c->y, dz = b->z - c->z;
            double d2 = dx * dx + dy * dy + dz * dz;
            double mag = dt / (d2 * sqrt(d2));
            b->vx -= dx * c->mass * mag;
            b->vy -= dy * c->mass * mag;
            b->vz -= dz * c->mass * mag;
            c->vx += dx * b->mass * mag;
            c->vy += dy * b->mass * mag;
            c->vz += dz * b->mass * mag;
        }
    }
    for (int i = 0; i < nbodies; i++) {
        bodies[i].x += dt * bodies[i].vx;
        bodies[i].y += dt * bodies[i].vy;
        bodies[i].z += dt * bodies[i].vz;
    }
}

/* Input: number of bodies, then per body x y z vx vy vz mass (velocities in units/day, mass in
 * solar masses), then the number of steps and the step size. */
int main(void) {
    int steps;
    double dt;
    if (scanf("%d", &nbodies) != 1 || nbodies < 1 || nbodies > MAX_BODIES) {
        fprintf(stderr, "bad body count\n");
        return 1;
    }
    for (int i = 0; i < nbodies; i++) {
        Body *b = &bodies[i];
        if (scanf("%lf %lf %lf %lf %lf %lf %lf", &b->x, &b->y, &b->z, &b->vx, &b->vy, &b->vz, &b->mass) != 7) {
            fprintf(stderr, "bad body %d\n", i);
            return 1;
        }
        b->vx *= DAYS_PER_YEAR;
        b->vy *= DAYS_PER_YEAR;
        b->vz *= DAYS_PER_YEAR;
        b->mass *= SOLAR_MASS;
    }
    if (scanf("%d %lf", &steps, &dt) != 2 || steps < 0) {
        fprintf(stderr, "bad step count\n");
        return 1;
    }
    offset_momentum();
    printf("%.6f\n", energy());
    for (int s = 0; s < steps; s++)
        advance(dt);
    printf("%.6f\n", energy());
    for (int i = 0; i < nbodies; i++)
        printf("%d %.4f %.4f %.4f\n", i, bodies[i].x, bodies[i].y, bodies[i].z);
    return 0;
}
