#include <memory>
#include <string>
#include "shape.hpp"

namespace geometry {

constexpr double PI = 3.14159;

enum class Unit { Meter, Inch };

using Scalar = double;

struct Point {
    Scalar x;
    Scalar y;
};

class Shape {
public:
    virtual ~Shape() = default;
    virtual Scalar area() const = 0;
    std::string name() const { return "shape"; }
};

class Circle : public Shape {
public:
    explicit Circle(Scalar radius) : radius_(radius) {}
    Scalar area() const override;

private:
    Scalar radius_;
};

Scalar Circle::area() const {
    return PI * radius_ * radius_;
}

template <typename T>
T clamp(T value, T low, T high) {
    return std::max(low, std::min(value, high));
}

std::unique_ptr<Shape> make_circle(Scalar radius) {
    auto circle = std::make_unique<Circle>(radius);
    circle->area();
    return circle;
}

}  // namespace geometry
